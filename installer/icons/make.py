"""Draws the app's icon: the PNG for the window and Linux menus (ui/icons/), the ICO for
Windows and the ICNS for macOS (installer/icons/). From the project folder:
    .venv/bin/python installer/icons/make.py"""

from pathlib import Path

from PIL import Image, ImageDraw, ImageFont

HERE = Path(__file__).parent
FONT = HERE.parent.parent / "printing" / "fonts" / "DejaVuSans-Bold.ttf"


def draw(size: int) -> Image.Image:
    scale = size / 256
    icon = Image.new("RGBA", (size, size), (0, 0, 0, 0))
    pen = ImageDraw.Draw(icon)
    pen.rounded_rectangle(
        (8 * scale, 8 * scale, 248 * scale, 248 * scale), radius=48 * scale, fill=(31, 94, 140)
    )
    big = ImageFont.truetype(str(FONT), round(84 * scale))
    small = ImageFont.truetype(str(FONT), round(30 * scale))
    pen.text((128 * scale, 110 * scale), "ANC", font=big, fill="white", anchor="mm")
    pen.text((128 * scale, 190 * scale), "REMS Desk", font=small, fill=(210, 230, 245), anchor="mm")
    return icon


if __name__ == "__main__":
    draw(256).save(HERE.parent.parent / "ui" / "icons" / "clozapine-desk.png", optimize=True)
    draw(256).save(
        HERE / "clozapine-desk.ico", sizes=[(s, s) for s in (16, 24, 32, 48, 64, 128, 256)]
    )
    draw(1024).save(HERE / "clozapine-desk.icns")

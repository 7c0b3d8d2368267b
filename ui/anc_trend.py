"""The ANC trend: each result over time, on the category bands of the patient's population
(general population or BEN), drawn with QPainter. The bands carry their names, so the chart
reads the same in grey."""

from __future__ import annotations

from datetime import date

from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QColor, QPainter, QPainterPath, QPen
from PySide6.QtWidgets import QSizePolicy, QWidget

from app.anc import Population, category_bands
from ui import theme


class AncTrend(QWidget):
    def __init__(self) -> None:
        super().__init__()
        self.points: list[tuple[date, int]] = []
        self.population = Population.GENERAL
        self.setMinimumHeight(220)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Preferred)
        self.setAccessibleName("ANC trend chart")

    def show_results(self, points: list[tuple[date, int]], population: Population) -> None:
        self.points = sorted(points)
        self.population = population
        if points:
            last = self.points[-1]
            self.setAccessibleDescription(
                f"{len(points)} results; latest {last[1]:,}/µL on {last[0].isoformat()}"
            )
        self.update()

    def paintEvent(self, _event: object) -> None:
        p = QPainter(self)
        p.setRenderHint(QPainter.RenderHint.Antialiasing)
        metrics = p.fontMetrics()
        left, right, top, bottom = (
            metrics.horizontalAdvance("10,000") + 12,
            12,
            10,
            metrics.height() + 10,
        )
        area = QRectF(left, top, self.width() - left - right, self.height() - top - bottom)
        bands = category_bands(self.population)
        # Room above the normal range's floor, and above the highest result.
        top_value = max([bands[-1][0] + 1500, *(v + 500 for _, v in self.points)])

        def y(value: float) -> float:
            return area.bottom() - area.height() * min(value, top_value) / top_value

        for low, high, category in bands:
            band = QRectF(
                area.left(), y(high or top_value), area.width(), y(low) - y(high or top_value)
            )
            p.fillRect(band, QColor(theme.CATEGORY_COLORS[category]))
            p.setPen(QColor(theme.MUTED_TEXT))
            p.drawText(
                band.adjusted(6, 2, -6, -2),
                Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignTop,
                f"{category.label} ({low:,}+)" if high is None else f"{category.label} (<{high:,})",
            )
            p.drawText(
                QRectF(0, y(low) - metrics.height() / 2, left - 6, metrics.height()),
                Qt.AlignmentFlag.AlignRight,
                f"{low:,}",
            )
        p.setPen(QPen(QColor("#888888")))
        p.drawRect(area)
        if not self.points:
            p.drawText(area, Qt.AlignmentFlag.AlignCenter, "No ANC results yet")
            return
        first, last = self.points[0][0], self.points[-1][0]
        span = max(1, (last - first).days)

        def x(day: date) -> float:
            return area.left() + 8 + (area.width() - 16) * (day - first).days / span

        path = QPainterPath()
        for n, (day, value) in enumerate(self.points):
            point = QPointF(x(day), y(value))
            path.moveTo(point) if n == 0 else path.lineTo(point)
        p.setPen(QPen(QColor("#1f3b73"), 2))
        p.drawPath(path)
        p.setBrush(QColor("#1f3b73"))
        for day, value in self.points:
            p.drawEllipse(QPointF(x(day), y(value)), 3.5, 3.5)
        p.setPen(QColor("#1a1a1a"))
        for day in {first, last}:
            label = day.strftime("%m/%d/%Y")
            width = metrics.horizontalAdvance(label)
            p.drawText(
                QPointF(
                    min(max(x(day) - width / 2, area.left()), area.right() - width),
                    area.bottom() + metrics.ascent() + 4,
                ),
                label,
            )

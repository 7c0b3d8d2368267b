"""Fax-ready program forms as PDFs (reportlab): filled from app/ models, or blank for
handwriting during an outage. The same renderer makes what the desktop previews and prints."""

"""Golden PDFs: the exact bytes of known forms (reportlab's invariant mode)."""

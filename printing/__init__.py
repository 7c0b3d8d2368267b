"""Fax-ready PDF forms with reportlab (issue #5)."""

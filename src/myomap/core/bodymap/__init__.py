"""The body map: region geometry and the SVG drawing (front and back)."""

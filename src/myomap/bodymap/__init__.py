"""The body map page: draw pain by region and intensity."""

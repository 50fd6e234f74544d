"""Printable documents as real PDFs, made from the same templates and CSS as the pages."""

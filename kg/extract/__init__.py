"""Extraction: a spaCy pipeline assembled from config, turning Articles into records."""

"""Turning stored files into text, images and chunks."""

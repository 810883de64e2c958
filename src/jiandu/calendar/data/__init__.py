"""Shipped calendar data (`cn_official.json`) and the script that builds it."""

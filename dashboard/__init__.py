"""Qantar Map: an open, sourced map of the January 2022 unrest in Kazakhstan."""

"""Figures: comparing an indicator across places, targets against results, and charts."""

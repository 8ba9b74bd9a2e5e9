"""What things are, as pure data: the only pipeline code the dashboard may import."""

"""What the API reads and writes, one module per resource; `base` has what they share."""

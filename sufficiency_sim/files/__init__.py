"""Files: atomic writes, CSV structure checks and the run folders every command writes."""

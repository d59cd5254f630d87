"""Reports: measure labels, text tables, charts, plain-words headlines and the HTML report."""

"""Labels out: `render` draws order labels (PNG, ZPL), `pdf` writes a list's label sheet,
`printing` sends ZPL to a thermal printer over raw TCP."""

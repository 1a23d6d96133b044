"""The site: every generated page from autoescaped templates, the open data, the search index,
QR codes and the proof that every case is published. It knows no site generator."""

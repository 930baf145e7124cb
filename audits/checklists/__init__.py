"""Checklists: the answer and scoring rules (`rules`); the draft document and its validation (`draft`);
template writes, publishing included (`services`); reads of templates and versions (`selectors`); generating
a draft from a journey (`generate`); spreadsheets: the layout and reading (`sheets`), import
(`sheet_import`) and export (`sheet_export`)."""

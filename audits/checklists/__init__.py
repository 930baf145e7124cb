"""Checklists: the answer and scoring rules (`rules`), publishing a draft as a version (`publish`),
spreadsheet import and export (`spreadsheet`) and generating a draft from a journey (`generate`)."""

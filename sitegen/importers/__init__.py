"""Importers: tables departments already have (text exports, Word, Excel) → YAML records.

They sit beside `load` in the pipeline: they produce record files an editor then checks,
never pages. Reading goes file → grid (`text`, `docx`, `xlsx`: rows of cells with their
source position) → tables (`recognise`: cut at form titles, form family, year) → record
(`record` hands each row to `sections`, `funding` or `indicators`, which use `levels` and
the cleaning rules of `clean`) → YAML (`emit`). `run` wires it for `sitegen import`.
"""

"""Opening an upload as a table: the checks of reader.py, then the .csv or .xlsx reader.
(Its own module so that xlsx.py builds on reader.py and nothing points back.)"""
from app.imports.reader import CSV, CsvTable, Limits, Table, check_upload
from app.imports.xlsx import XlsxTable


def open_table(data: bytes, filename: str, limits: Limits) -> Table:
    """Check the upload and open it; raise Refused with a message for the user."""
    kind = check_upload(data, filename, limits)
    if kind == CSV:
        return CsvTable(data, limits)
    return XlsxTable(data, limits)

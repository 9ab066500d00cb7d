// CSV cells as every export writes them (RFC 4180 via csv-stringify): free text that a
// spreadsheet would run as a formula is defused with a leading `'`; numbers are written as they are.

// The contract's = + - @ tab CR, and their fullwidth forms, which some spreadsheets also read as formulas.
const formulaStart = /^[=+\-@\t\r\uFF1D\uFF0B\uFF0D\uFF20]/;

export function textCell(value: string | null): string {
  if (value === null) return '';
  return formulaStart.test(value) ? `'${value}` : value;
}

export function numberCell(value: number | null): string {
  return value === null ? '' : String(value);
}

// RFC 4180 ends records with CRLF. Naming a record delimiter turns off csv-stringify's quoting of
// fields that hold a bare CR or LF unless quote_record_delimiter is set as well.
export const csvOptions = { record_delimiter: 'windows', quote_record_delimiter: true } as const;

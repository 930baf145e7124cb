// The bulk import's sheet: the CSV read as the server reads it (a header line, then rows), and the server's
// refusal (`rows.<line>.<column>`) laid onto it, so every bad cell is shown where it is.

/** RFC 4180 CSV: quoted fields, doubled quotes, CRLF or LF. */
export function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let cell = '';
  let quoted = false;
  const src = text.replace(/^\uFEFF/, '');
  for (let i = 0; i < src.length; i++) {
    const c = src[i];
    if (quoted) {
      if (c === '"' && src[i + 1] === '"') { cell += '"'; i++; }
      else if (c === '"') quoted = false;
      else cell += c;
    } else if (c === '"') quoted = true;
    else if (c === ',') { row.push(cell); cell = ''; }
    else if (c === '\n' || c === '\r') {
      if (c === '\r' && src[i + 1] === '\n') i++;
      row.push(cell);
      rows.push(row);
      row = [];
      cell = '';
    } else cell += c;
  }
  if (cell !== '' || row.length) { row.push(cell); rows.push(row); }
  return rows.filter((r) => r.some((x) => x.trim() !== ''));
}

export type SheetProblems = { cells: Map<number, Map<string, string[]>>; other: [string, string[]][] };

/** The refusal's problems by sheet line (1 is the header) and column name; the rest (file, wave) apart. */
export function sheetProblems(fields: Record<string, string[]> | null | undefined): SheetProblems {
  const cells = new Map<number, Map<string, string[]>>();
  const other: [string, string[]][] = [];
  for (const [key, messages] of Object.entries(fields ?? {})) {
    const m = /^rows\.(\d+)\.(.+)$/.exec(key);
    if (!m) { other.push([key, messages]); continue; }
    const line = Number(m[1]);
    const row = cells.get(line) ?? new Map<string, string[]>();
    row.set(m[2], [...(row.get(m[2]) ?? []), ...messages]);
    cells.set(line, row);
  }
  return { cells, other };
}

import type { ComponentChildren } from 'preact';

/** One column of a DataTable: its header and how a row fills its cell. */
export interface Column<Row> {
  /** The header, and each cell's `data-label` (a responsive table shows it beside the value on narrow screens). */
  name: string;
  cell: (row: Row, index: number) => ComponentChildren;
  /** The header is for screen readers only (a column of action buttons). */
  hiddenName?: boolean;
  /** The cells' `data-label` when it differs from the header. */
  label?: string;
  /** The cells are the rows' headers (`<th scope="row">`). */
  rowHeader?: boolean;
  /** The cells' class (`actions`, `error-text`). */
  class?: string;
  /** A cell's tooltip (a time's UTC form). */
  title?: (row: Row) => string | undefined;
}

/** The column of a row's buttons: its header for screen readers only. */
export function actionsColumn<Row>(cell: Column<Row>['cell'], name = 'Actions'): Column<Row> {
  return { name, hiddenName: true, class: 'actions', cell };
}

/**
 * A list as a table, the same markup on every page: a header row, one row per item, each cell
 * labelled with its column's name. `responsive` tables stack their cells on narrow screens.
 */
export function DataTable<Row>({
  label,
  columns,
  rows,
  rowKey,
  rowData,
  responsive = true,
  class: extraClass,
}: {
  /** The table's accessible name. */
  label: string;
  columns: Array<Column<Row>>;
  rows: Row[];
  rowKey: (row: Row, index: number) => string | number;
  /** `data-*` attributes of a row (what tests and scripts find it by). */
  rowData?: (row: Row) => Record<`data-${string}`, string | number>;
  responsive?: boolean;
  class?: string;
}) {
  const tableClass = [responsive ? 'responsive' : '', extraClass ?? ''].filter(Boolean).join(' ') || undefined;
  return (
    <div class="table-wrap">
      <table class={tableClass} aria-label={label}>
        <thead>
          <tr>
            {columns.map((column) => (
              <th scope="col" key={column.name}>
                {column.hiddenName ? <span class="sr-only">{column.name}</span> : column.name}
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {rows.map((row, index) => (
            <tr key={rowKey(row, index)} {...rowData?.(row)}>
              {columns.map((column) => {
                const props = { key: column.name, 'data-label': column.label ?? column.name, class: column.class, title: column.title?.(row) };
                return column.rowHeader ? (
                  <th scope="row" {...props}>
                    {column.cell(row, index)}
                  </th>
                ) : (
                  <td {...props}>{column.cell(row, index)}</td>
                );
              })}
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

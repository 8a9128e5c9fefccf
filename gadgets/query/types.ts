/**
 * Shapes of the jIO query language (reference: jio.md §2.2 JSON form, §2.4 exec options,
 * §2.5 key_schema). Types only, no code.
 */

/** Comparison operators a simple query may carry (jio.md §2.2). */
export type ComparisonOperator = '=' | '!=' | '<' | '<=' | '>' | '>=';

/** Logical operators of a complex query (jio.md §2.2). */
export type LogicalOperator = 'AND' | 'OR' | 'NOT';

/** A `cast_to` function: turns a document value (or the query value) into a comparable value.
 * A result with a `cmp(other)` method (such as a `JIODate`) is compared with it (jio.md §2.3 rule 8). */
export type CastFunction = (value: unknown) => unknown;

/** An `equal_match` function: replaces `=` and LIKE for its key; truthy means "matches"
 * (jio.md §2.3 rule 8). Receives the (cast) document value and the (cast) query value. */
export type EqualMatchFunction = (object_value: unknown, value: unknown) => unknown;

/** A key object, in a `key_set` or directly as the `key` of a simple query (jio.md §2.2, §2.5).
 * Function-valued members cannot travel as JSON; use names resolved through `cast_lookup` /
 * `match_lookup` instead. */
export interface KeyObject {
  /** The document property to read. */
  read_from: string;
  /** A cast function, or its name in `key_schema.cast_lookup`. */
  cast_to?: string | CastFunction;
  /** An equality function, or its name in `key_schema.match_lookup`. */
  equal_match?: string | EqualMatchFunction;
}

/** `{type: "simple", key, value, operator?}` (jio.md §2.2). `key: ""` is a full-text search. */
export interface SimpleQuery {
  type: 'simple';
  key: string | KeyObject;
  /** A string as the parser produces; a finite number is accepted from JSON trees too. */
  value: string | number;
  /** Omitted unless written: then LIKE if the value contains `%`, else `=` (jio.md §2.3 rule 1). */
  operator?: ComparisonOperator;
}

/** `{type: "complex", operator, query_list}` (jio.md §2.2). `NOT` has one child. */
export interface ComplexQuery {
  type: 'complex';
  operator: LogicalOperator;
  query_list: QueryTree[];
}

/** A query tree in jIO's JSON form (jio.md §2.2). */
export type QueryTree = SimpleQuery | ComplexQuery;

/** jIO's key_schema (jio.md §2.5). */
export interface KeySchema {
  /** Aliases: a key object, or a string naming another document property. */
  key_set: Record<string, KeyObject | string>;
  /** Named cast functions, for `cast_to: "name"`. */
  cast_lookup?: Record<string, CastFunction>;
  /** Named equality functions, for `equal_match: "name"`. */
  match_lookup?: Record<string, EqualMatchFunction>;
}

/** Sort direction of one `sort_on` entry (jio.md §2.4). */
export type SortDirection = 'ascending' | 'descending';

/** `[[key, "ascending" | "descending"], …]`; keys may be key_set aliases (jio.md §2.4, §2.5). */
export type SortOn = Array<[string, SortDirection]>;

/** `[skip]` or `[skip, count]` (jio.md §2.4). */
export type Limit = [skip?: number, count?: number];

/** Options of `execQuery` (jio.md §2.4). `null`/`undefined` members are ignored. */
export interface ExecOptions {
  sort_on?: SortOn | null;
  limit?: Limit | null;
  select_list?: readonly string[] | null;
  key_schema?: KeySchema | null;
}

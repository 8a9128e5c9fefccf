/**
 * Shapes of the jIO query language (reference: docs/jio-compatibility.md: "JSON form",
 * "Matching", "Sort, limit, select", "key_schema"; the sections named below). Types only, no code.
 */

/** Comparison operators a simple query may carry ("JSON form"). */
export type ComparisonOperator = '=' | '!=' | '<' | '<=' | '>' | '>=';

/** Logical operators of a complex query ("JSON form"). */
export type LogicalOperator = 'AND' | 'OR' | 'NOT';

/** A `cast_to` function: turns a document value (or the query value) into a comparable value.
 * A result with a `cmp(other)` method (such as a `JIODate`) is compared with it ("Matching" rule 8). */
export type CastFunction = (value: unknown) => unknown;

/** An `equal_match` function: replaces `=` and LIKE for its key; truthy means "matches"
 * ("Matching" rule 8). Receives the (cast) document value and the (cast) query value. */
export type EqualMatchFunction = (object_value: unknown, value: unknown) => unknown;

/** A key object, in a `key_set` or directly as the `key` of a simple query ("JSON form", "key_schema").
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

/** `{type: "simple", key, value, operator?}` ("JSON form"). `key: ""` is a full-text search. */
export interface SimpleQuery {
  type: 'simple';
  key: string | KeyObject;
  /** A string as the parser produces; a finite number is accepted from JSON trees too. */
  value: string | number;
  /** Omitted unless written: then LIKE if the value contains `%`, else `=` ("Matching" rule 1). */
  operator?: ComparisonOperator;
}

/** `{type: "complex", operator, query_list}` ("JSON form"). `NOT` has one child. */
export interface ComplexQuery {
  type: 'complex';
  operator: LogicalOperator;
  query_list: QueryTree[];
}

/** A query tree in jIO's JSON form ("JSON form"). */
export type QueryTree = SimpleQuery | ComplexQuery;

/** jIO's key_schema ("key_schema"). */
export interface KeySchema {
  /** Aliases: a key object, or a string naming another document property. */
  key_set: Record<string, KeyObject | string>;
  /** Named cast functions, for `cast_to: "name"`. */
  cast_lookup?: Record<string, CastFunction>;
  /** Named equality functions, for `equal_match: "name"`. */
  match_lookup?: Record<string, EqualMatchFunction>;
}

/** Sort direction of one `sort_on` entry ("Sort, limit, select"). */
export type SortDirection = 'ascending' | 'descending';

/** `[[key, "ascending" | "descending"], …]`; keys may be key_set aliases ("Sort, limit, select", "key_schema"). */
export type SortOn = Array<[string, SortDirection]>;

/** `[skip]` or `[skip, count]` ("Sort, limit, select"). */
export type Limit = [skip?: number, count?: number];

/** Options of `execQuery` ("Sort, limit, select"). `null`/`undefined` members are ignored. */
export interface ExecOptions {
  sort_on?: SortOn | null;
  limit?: Limit | null;
  select_list?: readonly string[] | null;
  key_schema?: KeySchema | null;
}

/**
 * The element tests' fixture. Importing it registers, for every test of the file, a teardown that
 * runs pass or fail: open-wc's `fixtureCleanup` removes the test's elements (they disconnect and
 * close their databases), then every `rtc:` database the test created is deleted.
 */
import { fixtureCleanup } from '@open-wc/testing';
import { deleteNewDatabasesAfterEach, uniqueName } from '../shared/databases.js';

deleteNewDatabasesAfterEach(fixtureCleanup);

/** A database name for an element of this test (`database=…`), unique in the run; deleted after the test. */
export const testDatabase = (prefix = 'el'): string => uniqueName(prefix);

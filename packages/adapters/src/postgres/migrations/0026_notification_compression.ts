/**
 * Performance of the billing run (issue 16): the e-mails of the outbox are compressed with lz4
 * instead of PostgreSQL's default pglz. A `notifications.payload` holds the rendered text and HTML
 * of the e-mail (about 6.4 kB of JSON for an invoice, stored as about 2 kB either way), and it is
 * written under the invoice number's row lock, which serializes issuers until they commit: lz4
 * compresses it in about 30% less time (measured as the worker, 250 invoice e-mails per INSERT).
 * Only rows written from now on use it; older rows stay readable as they are.
 *
 * A server built without lz4 (PGlite, some self-built servers) refuses the method with
 * `feature_not_supported`; there the column keeps pglz, which is what it had.
 */
import { type Migration, stmt } from "./Migration.ts"

export const migration: Migration = {
  id: 26,
  name: "notification_compression",
  statements: [
    stmt`DO $do$
      BEGIN
        ALTER TABLE notifications ALTER COLUMN payload SET COMPRESSION lz4;
      EXCEPTION WHEN feature_not_supported THEN
        NULL;
      END
      $do$`
  ]
}

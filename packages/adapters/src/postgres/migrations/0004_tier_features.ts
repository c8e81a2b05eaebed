/**
 * The reference card's feature matrix as reference data (not tenant data: every role may read
 * it). Literal and frozen like every migration; later changes belong in a new migration, so the
 * checksums of applied migrations never move.
 */
import { type Migration, stmt } from "./Migration.ts"

export const migration: Migration = {
  id: 4,
  name: "tier_features",
  statements: [
    stmt`INSERT INTO tier_features (tier, display_name, max_accounts, max_api_keys, api_rate_limit_per_minute,
      compliance_frameworks, audit_retention_days, support_level, critical_response_hours,
      uptime_sla_basis_points, sso_required, customer_managed_keys, data_residency) VALUES
      ('standard', 'Standard', 10, 5, 600, '{CIS,SOC2}', 365, 'business-hours', 24, 9950, false, false, 'any-region'),
      ('fintech', 'Fintech', 50, 20, 3000, '{CIS,SOC2,PCI-DSS}', 2555, 'priority', 4, 9990, true, true, 'any-region'),
      ('healthcare', 'Healthcare', 100, 25, 3000, '{CIS,SOC2,HIPAA,HITRUST}', 2190, '24x7', 2, 9990, true, true, 'us-only'),
      ('gov-federal', 'Gov-Federal', 250, 50, 6000, '{CIS,SOC2,FedRAMP,NIST-800-53}', 2555, 'dedicated', 1, 9995, true, true, 'us-gov-cloud')`
  ]
}

/**
 * The JSON Schema of an alert rules file (docs/alerts.md "Rules"): its shape only. What the schema
 * cannot say (the view and its columns exist, a threshold rule and an absence rule are told apart,
 * an operator fits the threshold's type) alert-rules.ts checks after it, with the rule named.
 */
export const OPERATORS = ['>', '>=', '<', '<=', '==', '!='] as const;
export const SEVERITIES = ['info', 'warning', 'critical'] as const;
export const EVALUATED_ON = ['final', 'provisional'] as const;

const webhooks = {
  type: 'array',
  items: { type: 'string', minLength: 1 },
  description: 'URLs that get a JSON POST per transition',
};

const rule = {
  type: 'object',
  required: ['name', 'view', 'severity'],
  additionalProperties: false,
  properties: {
    name: { type: 'string', pattern: '^[A-Za-z0-9][A-Za-z0-9_-]{0,99}$' },
    description: { type: 'string' },
    view: { type: 'string' },
    column: { type: 'string' },
    op: { enum: OPERATORS },
    threshold: { type: ['number', 'boolean', 'string'] },
    where: { type: 'object', additionalProperties: { type: ['string', 'number', 'boolean'] } },
    for: { type: 'integer', minimum: 1, maximum: 1440 },
    absent_for: { type: 'string' },
    severity: { enum: SEVERITIES },
    on: { enum: EVALUATED_ON },
    webhooks,
  },
} as const;

export const RULES_FILE_SCHEMA = {
  type: 'object',
  required: ['rules'],
  additionalProperties: false,
  properties: {
    webhooks,
    rules: { type: 'array', items: rule },
  },
} as const;

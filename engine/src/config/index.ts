// Public surface of the configuration stage: load, lint, dump and the compiled rule set that
// rules/ evaluates.
export { loadConfig, loadConfigFile, defaultConfig, hostPlatform, DEFAULT_CONFIG_TEXT } from "./load";
export type { LoadedConfig, LoadOptions } from "./load";
export { lintConfig } from "./lint";
export type { LintInput } from "./lint";
export { describeRules, dumpConfig, dumpRules } from "./dump";
export type { RuleDescription } from "./dump";
export { formatWarning } from "./warnings";
export type { LintWarning } from "./warnings";
export { defaultOptions, OPTION_ELEMENTS } from "./options";
export type { ConfigOptions, HashAlgorithm, Platform, ProcessAccessEntry } from "./options";
export { CONDITIONS, parseCondition } from "./conditions";
export type { ConditionName, CaseFolding, ValueMatcher } from "./conditions";
export { detectEncoding, decodeConfig } from "./encoding";
export type { DetectedEncoding, TextEncodingName } from "./encoding";
export { NEWEST_SCHEMA, parseSchemaVersion } from "./version";
export type { SchemaVersion } from "./version";
export { RULE_ELEMENT_NAMES } from "./compile";
export type {
  Combine, CompiledFilter, CompoundRule, EventPlan, FieldCache, FieldLookup, GateScanner, OrIndex, PlannedCompound, PlannedEntry, PlannedFilter, RememberedValue, RuleEntry, RuleSet,
} from "./ruleset";
export { SKIP_SEARCH_MIN_LENGTH, buildSubstringAutomaton, markSubstrings } from "./substring-automaton";
export type { SkipSearch, SubstringAutomaton } from "./substring-automaton";
export { DEFAULT_WINDOWS_ENVIRONMENT, expandEnvironment } from "./environment";

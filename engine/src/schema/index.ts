export type { EventDef, EventSpec, EventTarget, FieldDef, FieldType, SysmonEvent } from "./types";
export { ALL_EVENTS, eventDef, eventFromFields, eventToFields, eventsForRuleName, findEvent } from "./catalogue";
export { formatUtcTime } from "./time";

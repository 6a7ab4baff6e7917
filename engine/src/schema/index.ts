export type { EventDef, EventSpec, EventTarget, FieldDef, FieldType, StampedEvent, SysmonEvent } from "./types";
export { ALL_EVENTS, eventDef, eventFromFields, eventToFields, eventsForRuleName, findEvent } from "./catalogue";
export { formatUtcTime } from "./time";

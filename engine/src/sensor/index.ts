export type * from "./records";

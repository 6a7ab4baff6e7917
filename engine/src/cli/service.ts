import { serviceMain } from "../service";
import type { Command } from "./command";

export const serviceCommand: Command = {
  words: ["service"],
  usage: "service",
  summary: "run as the installed service (started by systemd or by `sysmonts -i`)",
  run: (context) => serviceMain(context.args),
};

import { serviceMain, windowsServiceMain } from "../service";
import type { Command } from "./command";

export const serviceCommand: Command = {
  words: ["service"],
  usage: "service",
  summary: "run as the installed service (started by systemd or by `sysmonts -i`)",
  // On Windows the Service Control Manager starts `SysmonTs.exe service` (installer/wix).
  run: (context) => (process.platform === "win32" ? windowsServiceMain : serviceMain)(context.args),
};

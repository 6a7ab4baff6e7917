/**
 * Where an installed SysmonTs lives on Linux (cf. Sysmon for Linux's /opt/sysmon,
 * spec/cli-and-output.md §9). One place, so install, uninstall, the service and the tests agree.
 */
export interface LinuxLayout {
  readonly installDir: string;
  readonly launcher: string;
  readonly bundle: string;
  readonly configFile: string;
  /** The config argument as typed at install, for event 16's Configuration field. */
  readonly configArgumentFile: string;
  readonly settingsFile: string;
  readonly storeFile: string;
  readonly unitFile: string;
  readonly runDir: string;
  readonly controlSocket: string;
  readonly supervisorPidFile: string;
  readonly logFile: string;
}

export function linuxLayout(options: { root?: string } = {}): LinuxLayout {
  const root = options.root ?? "";
  const installDir = `${root}/opt/sysmonts`;
  const runDir = `${root}/run/sysmonts`;
  return {
    installDir,
    launcher: `${installDir}/sysmonts`,
    bundle: `${installDir}/lib/sysmonts.cjs`,
    configFile: `${installDir}/config.xml`,
    configArgumentFile: `${installDir}/config-argument`,
    settingsFile: `${installDir}/settings.json`,
    storeFile: `${installDir}/events.db`,
    unitFile: `${root}/etc/systemd/system/sysmonts.service`,
    runDir,
    controlSocket: `${runDir}/control.sock`,
    supervisorPidFile: `${runDir}/supervisor.pid`,
    logFile: `${installDir}/service.log`,
  };
}

/**
 * The systemd unit: restart on failure like Sysmon's (RestartSec=10, burst 5 in 90 s), and
 * unlimited locked memory because BPF maps are charged to it on older kernels.
 */
export function systemdUnit(layout: LinuxLayout): string {
  return [
    "[Unit]",
    "Description=SysmonTs host activity monitor",
    "After=network.target syslog.service",
    "StartLimitBurst=5",
    "StartLimitIntervalSec=90",
    "",
    "[Service]",
    "Type=simple",
    "User=root",
    `WorkingDirectory=${layout.installDir}`,
    `ExecStart=${layout.launcher} service`,
    "LimitMEMLOCK=infinity",
    "Restart=on-failure",
    "RestartSec=10",
    "KillSignal=SIGTERM",
    "TimeoutStopSec=30",
    "",
    "[Install]",
    "WantedBy=multi-user.target",
    "",
  ].join("\n");
}

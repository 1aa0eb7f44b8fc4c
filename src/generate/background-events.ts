/**
 * Ordinary events: the haystack the scanner must get through. Sysmon events of the usual ids in
 * the proportions public collections show (ProcessAccess, image loads and registry writes
 * dominate; lsass.exe is named in roughly one record in ten, mostly as the target of EID 10),
 * plus the Security-channel events an NXLog collector forwards alongside them.
 *
 * Field lists and their order follow Sysmon 13/14's schema for each event id.
 */

import { type AccountInfo, type DataValue, type EventModel, SLOT } from "./event-model.js";
import type { Prng } from "./prng.js";
import {
  ACCESS_MASKS,
  CREATED_FILES,
  DNS_NAMES,
  DOCUMENTS,
  type ProgramInfo,
  REGISTRY_DETAILS,
  REGISTRY_KEYS,
  SYSTEM_DLLS,
  SYSTEM_PROGRAMS,
} from "./vocabulary.js";
import { accountOf, type MachineInfo, type UserInfo, type World } from "./world.js";

/** Sysmon's provider, as `System/Provider` names it. */
const SYSMON_PROVIDER = { name: "Microsoft-Windows-Sysmon", guid: "{5770385f-c22a-43e0-bf4c-06f5698ffbd9}" };
/** Sysmon's channel. */
const SYSMON_CHANNEL = "Microsoft-Windows-Sysmon/Operational";
/** The Security channel's provider. */
const SECURITY_PROVIDER = {
  name: "Microsoft-Windows-Security-Auditing",
  guid: "{54849625-5478-4994-a5ba-3e3b0328c30d}",
};

/** Per Sysmon event id: schema version, task display name, message title, ECS category/type. */
const SYSMON_EVENT_INFO: Record<
  number,
  { version: number; category: string; title: string; ecs?: [string[], string[]] }
> = {
  1: {
    version: 5,
    category: "Process Create (rule: ProcessCreate)",
    title: "Process Create:",
    ecs: [["process"], ["start"]],
  },
  3: {
    version: 5,
    category: "Network connection detected (rule: NetworkConnect)",
    title: "Network connection detected:",
    ecs: [["network"], ["connection", "start", "protocol"]],
  },
  5: {
    version: 3,
    category: "Process terminated (rule: ProcessTerminate)",
    title: "Process terminated:",
    ecs: [["process"], ["end"]],
  },
  7: { version: 3, category: "Image loaded (rule: ImageLoad)", title: "Image loaded:", ecs: [["process"], ["change"]] },
  8: {
    version: 2,
    category: "CreateRemoteThread detected (rule: CreateRemoteThread)",
    title: "CreateRemoteThread detected:",
  },
  10: {
    version: 3,
    category: "Process accessed (rule: ProcessAccess)",
    title: "Process accessed:",
    ecs: [["process"], ["access"]],
  },
  11: {
    version: 2,
    category: "File created (rule: FileCreate)",
    title: "File created:",
    ecs: [["file"], ["creation"]],
  },
  12: {
    version: 2,
    category: "Registry object added or deleted (rule: RegistryEvent)",
    title: "Registry object added or deleted:",
    ecs: [["configuration", "registry"], ["change"]],
  },
  13: {
    version: 2,
    category: "Registry value set (rule: RegistryEvent)",
    title: "Registry value set:",
    ecs: [["configuration", "registry"], ["change"]],
  },
  17: { version: 1, category: "Pipe Created (rule: PipeEvent)", title: "Pipe Created:" },
  18: { version: 1, category: "Pipe Connected (rule: PipeEvent)", title: "Pipe Connected:" },
  22: {
    version: 5,
    category: "Dns query (rule: DnsQuery)",
    title: "Dns query:",
    ecs: [["network"], ["protocol", "info"]],
  },
  23: {
    version: 5,
    category: "File Delete archived (rule: FileDelete)",
    title: "File Delete archived:",
    ecs: [["file"], ["deletion"]],
  },
};

/** Sysmon event ids in background traffic, weighted as in public collections. */
const SYSMON_ID_WEIGHTS: readonly (readonly [number, number])[] = [
  [30, 10],
  [14, 7],
  [12, 12],
  [12, 13],
  [9, 11],
  [5, 3],
  [5, 22],
  [4, 1],
  [3, 5],
  [2, 18],
  [1, 17],
  [1, 23],
  [0.5, 8],
];

/** A Sysmon process GUID on `machine`, e.g. `{b34bc01c-b7ea-5f69-d102-000000000900}`. */
export function processGuid(rng: Prng, machine: MachineInfo): string {
  return `{${machine.guidPrefix}-${rng.hex(4)}-${rng.hex(4)}-${rng.hex(4)}-000000000${rng.int(10)}00}`;
}

/** Sysmon's `Hashes` value. */
export function hashes(rng: Prng): string {
  return `SHA1=${rng.HEX(40)},MD5=${rng.HEX(32)},SHA256=${rng.HEX(64)},IMPHASH=${rng.HEX(32)}`;
}

/** A process id as Windows hands them out (multiples of 4). */
export function pid(rng: Prng): number {
  return rng.range(1, 3000) * 4;
}

/** The Sysmon service's own process id on a machine (stable per machine). */
function sysmonPid(machine: MachineInfo): number {
  return (Number.parseInt(machine.guidPrefix.slice(0, 3), 16) % 900) * 4 + 1000;
}

/** Sometimes the lower-case spelling Sysmon reports for processes started as `c:\windows\system32\...`. */
function spelled(rng: Prng, path: string): string {
  return rng.chance(0.3) ? path.replace(/^C:\\Windows\\System32\\/, "C:\\windows\\system32\\") : path;
}

function baseName(path: string): string {
  return path.slice(path.lastIndexOf("\\") + 1);
}

/** `DOMAIN\name` of an account, as Sysmon's `User` fields write it. */
export function userText(account: AccountInfo): string {
  return `${account.domain}\\${account.name}`;
}

function interactiveUser(rng: Prng, machine: MachineInfo): UserInfo | undefined {
  return machine.users.length > 0 ? rng.pick(machine.users) : undefined;
}

/** The account a process runs as: mostly SYSTEM or services, sometimes the logged-on user. */
function processAccount(rng: Prng, world: World, machine: MachineInfo): AccountInfo {
  const user = interactiveUser(rng, machine);
  const r = rng.float();
  if (user !== undefined && r < 0.3) return accountOf(user);
  if (r < 0.4) return world.localService;
  if (r < 0.45) return world.networkService;
  return world.system;
}

/** A Sysmon event shell for `eventId` on `machine`, with EventData `data`. */
export function sysmonEvent(
  rng: Prng,
  world: World,
  machine: MachineInfo,
  eventId: number,
  data: [string, DataValue][],
): EventModel {
  const info = SYSMON_EVENT_INFO[eventId] ?? { version: 2, category: `(${eventId})`, title: "Unknown event:" };
  return {
    eventId,
    provider: SYSMON_PROVIDER,
    channel: SYSMON_CHANNEL,
    version: info.version,
    level: 4,
    task: eventId,
    opcode: 0,
    keywords: "0x8000000000000000",
    executionPid: sysmonPid(machine),
    executionTid: pid(rng),
    userSid: "S-1-5-18",
    computer: machine.computer,
    host: machine,
    data,
    category: info.category,
    messageTitle: info.title,
    account: world.system,
    ...(info.ecs === undefined ? {} : { ecsCategory: info.ecs }),
  };
}

function program(rng: Prng): ProgramInfo {
  return rng.weighted(SYSTEM_PROGRAMS);
}

function programNamed(name: string): ProgramInfo {
  for (const [, p] of SYSTEM_PROGRAMS) if (baseName(p.path).toLowerCase() === name.toLowerCase()) return p;
  throw new Error(`no program ${name}`);
}

function callTrace(rng: Prng, image: string): string {
  const frames: string[] = [];
  const n = rng.range(3, 12);
  frames.push(`C:\\Windows\\SYSTEM32\\ntdll.dll+${rng.hex(5)}`);
  for (let i = 1; i < n - 1; i++) {
    const dll = rng.pick(SYSTEM_DLLS);
    const dir = rng.chance(0.5) ? "C:\\Windows\\System32" : "C:\\Windows\\system32";
    frames.push(`${dir}\\${dll}+${rng.hex(rng.range(4, 5))}`);
  }
  if (rng.chance(0.3)) frames.push(`${image}+${rng.hex(5)}`);
  frames.push(`C:\\Windows\\SYSTEM32\\ntdll.dll+${rng.hex(5)}`);
  return frames.join("|");
}

function fillFileName(rng: Prng, world: World, machine: MachineInfo, template: string, exe: string): string {
  const user = interactiveUser(rng, machine);
  return template
    .replace("{user}", user === undefined ? "Public" : user.profile.slice("C:\\Users\\".length))
    .replace("{EXE}", exe.toUpperCase())
    .replace("{HEX8}", rng.HEX(8))
    .replace("{HEX4}", rng.HEX(4))
    .replace("{hex6}", rng.hex(6))
    .replace("{hex16}", rng.hex(16))
    .replace("{hex32}", rng.hex(32))
    .replace("{RAND8}", rng.HEX(8))
    .replace("{GUID}", `${rng.HEX(8)}-${rng.HEX(4)}-${rng.HEX(4)}-${rng.HEX(4)}-${rng.HEX(12)}`)
    .replace("{rand}", rng.hex(8))
    .replace("{rand3}", rng.hex(3))
    .replace("{doc}", rng.pick(DOCUMENTS))
    .replace("{d}", String(rng.int(10)))
    .replace("{domain}", world.domain);
}

function processCreate(rng: Prng, world: World, machine: MachineInfo): EventModel {
  const p = program(rng);
  const parent = program(rng);
  const account = processAccount(rng, world, machine);
  const image = spelled(rng, p.path);
  const args = rng.pick([
    "",
    " -Embedding",
    " -k netsvcs -p -s Schedule",
    " /c ipconfig /all",
    " -ServerName:App.AppXywbrabmsek0gm.mca",
  ]);
  return sysmonEvent(rng, world, machine, 1, [
    ["RuleName", "-"],
    ["UtcTime", SLOT.utcTime],
    ["ProcessGuid", processGuid(rng, machine)],
    ["ProcessId", pid(rng)],
    ["Image", image],
    ["FileVersion", p.fileVersion],
    ["Description", p.description],
    ["Product", p.product],
    ["Company", p.company],
    ["OriginalFileName", p.originalFileName],
    ["CommandLine", `"${image}"${args}`],
    ["CurrentDirectory", "C:\\Windows\\system32\\"],
    ["User", userText(account)],
    ["LogonGuid", `{${machine.guidPrefix}-${rng.hex(4)}-${rng.hex(4)}-${rng.hex(4)}-${rng.hex(12)}}`],
    ["LogonId", `0x${rng.hex(6)}`],
    ["TerminalSessionId", rng.int(3)],
    ["IntegrityLevel", rng.pick(["System", "High", "Medium"])],
    ["Hashes", hashes(rng)],
    ["ParentProcessGuid", processGuid(rng, machine)],
    ["ParentProcessId", pid(rng)],
    ["ParentImage", parent.path],
    ["ParentCommandLine", `${parent.path}${rng.pick(["", " -k DcomLaunch -p"])}`],
    ["ParentUser", userText(world.system)],
  ]);
}

function networkConnect(rng: Prng, world: World, machine: MachineInfo): EventModel {
  const p = program(rng);
  const outbound = rng.chance(0.7);
  const remote = `${rng.pick(["13.107", "52.114", "20.42", "10.0", "172.18"])}.${rng.range(1, 254)}.${rng.range(1, 254)}`;
  const port = rng.pick([443, 80, 53, 389, 445, 135, 3389, 8000, 8089]);
  const ephemeral = rng.range(49152, 65535);
  return sysmonEvent(rng, world, machine, 3, [
    ["RuleName", "-"],
    ["UtcTime", SLOT.utcTime],
    ["ProcessGuid", processGuid(rng, machine)],
    ["ProcessId", pid(rng)],
    ["Image", spelled(rng, p.path)],
    ["User", userText(processAccount(rng, world, machine))],
    ["Protocol", "tcp"],
    ["Initiated", outbound ? "true" : "false"],
    ["SourceIsIpv6", "false"],
    ["SourceIp", outbound ? machine.ip : remote],
    ["SourceHostname", outbound ? machine.computer : "-"],
    ["SourcePort", outbound ? ephemeral : port],
    ["SourcePortName", "-"],
    ["DestinationIsIpv6", "false"],
    ["DestinationIp", outbound ? remote : machine.ip],
    ["DestinationHostname", "-"],
    ["DestinationPort", outbound ? port : ephemeral],
    ["DestinationPortName", port === 443 ? "https" : "-"],
  ]);
}

function processTerminate(rng: Prng, world: World, machine: MachineInfo): EventModel {
  const p = program(rng);
  return sysmonEvent(rng, world, machine, 5, [
    ["RuleName", "-"],
    ["UtcTime", SLOT.utcTime],
    ["ProcessGuid", processGuid(rng, machine)],
    ["ProcessId", pid(rng)],
    ["Image", spelled(rng, p.path)],
    ["User", userText(processAccount(rng, world, machine))],
  ]);
}

function imageLoad(rng: Prng, world: World, machine: MachineInfo): EventModel {
  const p = program(rng);
  const dll = rng.pick(SYSTEM_DLLS);
  return sysmonEvent(rng, world, machine, 7, [
    ["RuleName", "-"],
    ["UtcTime", SLOT.utcTime],
    ["ProcessGuid", processGuid(rng, machine)],
    ["ProcessId", pid(rng)],
    ["Image", spelled(rng, p.path)],
    ["ImageLoaded", `C:\\Windows\\System32\\${dll}`],
    ["FileVersion", "10.0.19041.2075 (WinBuild.160101.0800)"],
    ["Description", rng.pick(["NT Layer DLL", "Windows NT BASE API Client DLL", "Host Process for Windows Services"])],
    ["Product", "Microsoft® Windows® Operating System"],
    ["Company", "Microsoft Corporation"],
    ["OriginalFileName", dll],
    ["Hashes", hashes(rng)],
    ["Signed", "true"],
    ["Signature", "Microsoft Windows"],
    ["SignatureStatus", "Valid"],
    ["User", userText(processAccount(rng, world, machine))],
  ]);
}

function processAccess(rng: Prng, world: World, machine: MachineInfo): EventModel {
  const r = rng.float();
  let source: ProgramInfo;
  let target: ProgramInfo;
  if (r < 0.2) {
    // The usual lsass.exe readers: Defender, WMI, svchost, csrss.
    source = rng.weighted([
      [4, programNamed("MsMpEng.exe")],
      [3, programNamed("svchost.exe")],
      [2, programNamed("WmiPrvSE.exe")],
      [1, programNamed("csrss.exe")],
      [1, programNamed("wininit.exe")],
    ]);
    target = programNamed("lsass.exe");
  } else if (r < 0.25) {
    source = programNamed("lsass.exe");
    target = program(rng);
  } else {
    source = program(rng);
    target = program(rng);
  }
  const sourceImage = spelled(rng, source.path);
  return sysmonEvent(rng, world, machine, 10, [
    ["RuleName", "-"],
    ["UtcTime", SLOT.utcTime],
    ["SourceProcessGUID", processGuid(rng, machine)],
    ["SourceProcessId", pid(rng)],
    ["SourceThreadId", pid(rng)],
    ["SourceImage", sourceImage],
    ["TargetProcessGUID", processGuid(rng, machine)],
    ["TargetProcessId", pid(rng)],
    ["TargetImage", spelled(rng, target.path)],
    ["GrantedAccess", rng.weighted(ACCESS_MASKS)],
    ["CallTrace", callTrace(rng, sourceImage)],
    ["SourceUser", userText(world.system)],
    ["TargetUser", userText(world.system)],
  ]);
}

function fileCreate(rng: Prng, world: World, machine: MachineInfo): EventModel {
  const [exe, template] = rng.pick(CREATED_FILES);
  const p = programNamed(exe);
  return sysmonEvent(rng, world, machine, 11, [
    ["RuleName", "-"],
    ["UtcTime", SLOT.utcTime],
    ["ProcessGuid", processGuid(rng, machine)],
    ["ProcessId", pid(rng)],
    ["Image", spelled(rng, p.path)],
    ["TargetFilename", fillFileName(rng, world, machine, template, exe)],
    ["CreationUtcTime", SLOT.utcTime],
    ["User", userText(processAccount(rng, world, machine))],
  ]);
}

function registryKey(rng: Prng, machine: MachineInfo): string {
  const user = interactiveUser(rng, machine);
  return rng
    .pick(REGISTRY_KEYS)
    .replace("{sid}", user?.sid ?? "S-1-5-18")
    .replace("{exe}", baseName(program(rng).path))
    .replace("{guid}", `{${rng.HEX(8)}-${rng.HEX(4)}-${rng.HEX(4)}-${rng.HEX(4)}-${rng.HEX(12)}}`);
}

function registryEvent(rng: Prng, world: World, machine: MachineInfo, eventId: 12 | 13): EventModel {
  const p = program(rng);
  const data: [string, DataValue][] = [
    ["RuleName", "-"],
    ["EventType", eventId === 13 ? "SetValue" : rng.pick(["CreateKey", "DeleteValue", "DeleteKey"])],
    ["UtcTime", SLOT.utcTime],
    ["ProcessGuid", processGuid(rng, machine)],
    ["ProcessId", pid(rng)],
    ["Image", spelled(rng, p.path)],
    ["TargetObject", registryKey(rng, machine)],
  ];
  if (eventId === 13) data.push(["Details", rng.pick(REGISTRY_DETAILS)]);
  data.push(["User", userText(processAccount(rng, world, machine))]);
  return sysmonEvent(rng, world, machine, eventId, data);
}

function pipeEvent(rng: Prng, world: World, machine: MachineInfo, eventId: 17 | 18): EventModel {
  const p = program(rng);
  const pipe = rng.pick([
    "<Anonymous Pipe>",
    "\\lsass",
    "\\srvsvc",
    "\\wkssvc",
    "\\PSHost.133093748261.4242.DefaultAppDomain.powershell",
    "\\ntsvcs",
  ]);
  return sysmonEvent(rng, world, machine, eventId, [
    ["RuleName", "-"],
    ["EventType", eventId === 17 ? "CreatePipe" : "ConnectPipe"],
    ["UtcTime", SLOT.utcTime],
    ["ProcessGuid", processGuid(rng, machine)],
    ["ProcessId", pid(rng)],
    ["PipeName", pipe],
    ["Image", spelled(rng, p.path)],
    ["User", userText(processAccount(rng, world, machine))],
  ]);
}

function dnsQuery(rng: Prng, world: World, machine: MachineInfo): EventModel {
  const p = program(rng);
  const name = rng.pick(DNS_NAMES).replace("{domain}", world.domain).replace("{dc}", world.dc);
  return sysmonEvent(rng, world, machine, 22, [
    ["RuleName", "-"],
    ["UtcTime", SLOT.utcTime],
    ["ProcessGuid", processGuid(rng, machine)],
    ["ProcessId", pid(rng)],
    ["QueryName", name],
    ["QueryStatus", "0"],
    [
      "QueryResults",
      `type:  5 ${name}.edgekey.net;::ffff:${rng.range(13, 200)}.${rng.range(0, 255)}.${rng.range(0, 255)}.${rng.range(1, 254)};`,
    ],
    ["Image", spelled(rng, p.path)],
    ["User", userText(processAccount(rng, world, machine))],
  ]);
}

function fileDelete(rng: Prng, world: World, machine: MachineInfo): EventModel {
  const [exe, template] = rng.pick(CREATED_FILES);
  return sysmonEvent(rng, world, machine, 23, [
    ["RuleName", "-"],
    ["UtcTime", SLOT.utcTime],
    ["ProcessGuid", processGuid(rng, machine)],
    ["ProcessId", pid(rng)],
    ["User", userText(processAccount(rng, world, machine))],
    ["Image", spelled(rng, programNamed(exe).path)],
    ["TargetFilename", fillFileName(rng, world, machine, template, exe)],
    ["Hashes", hashes(rng)],
    ["IsExecutable", "false"],
    ["Archived", "true"],
  ]);
}

function remoteThread(rng: Prng, world: World, machine: MachineInfo): EventModel {
  return sysmonEvent(rng, world, machine, 8, [
    ["RuleName", "-"],
    ["UtcTime", SLOT.utcTime],
    ["SourceProcessGuid", processGuid(rng, machine)],
    ["SourceProcessId", pid(rng)],
    ["SourceImage", "C:\\Windows\\System32\\csrss.exe"],
    ["TargetProcessGuid", processGuid(rng, machine)],
    ["TargetProcessId", pid(rng)],
    ["TargetImage", spelled(rng, program(rng).path)],
    ["NewThreadId", pid(rng)],
    ["StartAddress", `0x00007FF${rng.HEX(9)}`],
    ["StartModule", "C:\\Windows\\System32\\KERNELBASE.dll"],
    ["StartFunction", "CtrlRoutine"],
    ["SourceUser", userText(world.system)],
    ["TargetUser", userText(world.system)],
  ]);
}

/** One background Sysmon event on a random machine. */
export function backgroundSysmonEvent(rng: Prng, world: World, machine = rng.pick(world.machines)): EventModel {
  const id = rng.weighted(SYSMON_ID_WEIGHTS);
  switch (id) {
    case 1:
      return processCreate(rng, world, machine);
    case 3:
      return networkConnect(rng, world, machine);
    case 5:
      return processTerminate(rng, world, machine);
    case 7:
      return imageLoad(rng, world, machine);
    case 8:
      return remoteThread(rng, world, machine);
    case 10:
      return processAccess(rng, world, machine);
    case 11:
      return fileCreate(rng, world, machine);
    case 12:
    case 13:
      return registryEvent(rng, world, machine, id);
    case 17:
    case 18:
      return pipeEvent(rng, world, machine, id);
    case 22:
      return dnsQuery(rng, world, machine);
    default:
      return fileDelete(rng, world, machine);
  }
}

/** A Security-channel event shell (Microsoft-Windows-Security-Auditing). */
export function securityEvent(
  rng: Prng,
  machine: MachineInfo,
  eventId: number,
  task: number,
  category: string,
  title: string,
  data: [string, DataValue][],
  body: string,
): EventModel {
  return {
    eventId,
    provider: SECURITY_PROVIDER,
    channel: "Security",
    version: eventId === 4624 ? 2 : eventId === 4663 ? 1 : 0,
    level: 0,
    task,
    opcode: 0,
    keywords: "0x8020000000000000",
    executionPid: 4,
    executionTid: pid(rng),
    userSid: "",
    computer: machine.computer,
    host: machine,
    data,
    category,
    messageTitle: title,
    messageBody: body,
    account: { domain: "NT AUTHORITY", name: "SYSTEM", type: "User", sid: "S-1-5-18" },
  };
}

function subject(machine: MachineInfo, world: World): [string, DataValue][] {
  const account = `${machine.shortName.toUpperCase().slice(0, 15)}$`;
  return [
    ["SubjectUserSid", "S-1-5-18"],
    ["SubjectUserName", account],
    ["SubjectDomainName", world.netbios],
    ["SubjectLogonId", "0x3e7"],
  ];
}

function subjectText(machine: MachineInfo, world: World): string {
  return `Subject:\r\n\tSecurity ID:\t\tS-1-5-18\r\n\tAccount Name:\t\t${machine.shortName.toUpperCase().slice(0, 15)}$\r\n\tAccount Domain:\t\t${world.netbios}\r\n\tLogon ID:\t\t0x3E7`;
}

/** One background Security-channel event (logons, handles, WFP), many of them naming lsass.exe. */
export function backgroundSecurityEvent(rng: Prng, world: World, machine = rng.pick(world.machines)): EventModel {
  const lsassPid = `0x${(rng.range(150, 250) * 4).toString(16)}`;
  const lsass = "C:\\Windows\\System32\\lsass.exe";
  const svchost = "C:\\Windows\\System32\\svchost.exe";
  // Weights after the OTRF rdp capture's Security channel (4658 > 5156 > 4663 > logons).
  const kind = rng.weighted([
    [6, 4658],
    [3, 4663],
    [4, 5156],
    [1, 4624],
    [0.5, 4673],
    [2, 4688],
  ] as const);
  switch (kind) {
    case 4624: {
      const user = machine.users[0];
      const name = user?.name ?? "Administrator";
      return securityEvent(
        rng,
        machine,
        4624,
        12544,
        "Logon",
        "An account was successfully logged on.",
        [
          ...subject(machine, world),
          ["TargetUserName", name],
          ["TargetDomainName", world.netbios],
          ["LogonType", rng.pick(["2", "3", "5", "7", "10"])],
          ["ProcessId", lsassPid],
          ["ProcessName", lsass],
          ["IpAddress", "-"],
        ],
        `${subjectText(machine, world)}\r\n\r\nNew Logon:\r\n\tAccount Name:\t\t${name}\r\n\tAccount Domain:\t\t${world.netbios}\r\n\r\nProcess Information:\r\n\tProcess ID:\t\t${lsassPid}\r\n\tProcess Name:\t\t${lsass}`,
      );
    }
    case 4663:
    case 4658: {
      const process = rng.chance(0.15) ? lsass : svchost;
      const object = "\\REGISTRY\\MACHINE\\SYSTEM\\ControlSet001\\Control\\Session Manager\\Environment";
      const handle = `0x${rng.hex(4)}`;
      const data: [string, DataValue][] = [
        ...subject(machine, world),
        ["ObjectServer", "Security"],
        ["HandleId", handle],
        ["ProcessId", `0x${rng.hex(3)}`],
        ["ProcessName", process],
      ];
      if (kind === 4663) data.push(["ObjectType", "Key"], ["ObjectName", object], ["AccessMask", "0x1"]);
      return securityEvent(
        rng,
        machine,
        kind,
        12801,
        "Registry",
        kind === 4663 ? "An attempt was made to access an object." : "The handle to an object was closed.",
        data,
        `${subjectText(machine, world)}\r\n\r\nObject:\r\n\tObject Server:\t\tSecurity\r\n\tHandle ID:\t\t${handle}\r\n\r\nProcess Information:\r\n\tProcess Name:\t\t${process}`,
      );
    }
    case 5156: {
      const app = `\\device\\harddiskvolume2\\windows\\system32\\${rng.pick(["lsass.exe", "svchost.exe", "svchost.exe", "dns.exe", "System"])}`;
      const port = rng.range(49152, 65535);
      return securityEvent(
        rng,
        machine,
        5156,
        12810,
        "Filtering Platform Connection",
        "The Windows Filtering Platform has permitted a connection.",
        [
          ["ProcessID", String(rng.range(150, 250) * 4)],
          ["Application", app],
          ["Direction", "%%14592"],
          ["SourceAddress", machine.ip],
          ["SourcePort", String(port)],
          ["DestAddress", "10.0.0.10"],
          ["DestPort", "389"],
          ["Protocol", "6"],
        ],
        `Application Information:\r\n\tApplication Name:\t${app}\r\n\r\nNetwork Information:\r\n\tDirection:\t\tInbound\r\n\tSource Port:\t\t${port}\r\n\tDestination Port:\t\t389`,
      );
    }
    case 4673:
      return securityEvent(
        rng,
        machine,
        4673,
        13056,
        "Sensitive Privilege Use",
        "A privileged service was called.",
        [
          ...subject(machine, world),
          ["ObjectServer", "Security Account Manager"],
          ["Service", "Security Account Manager"],
          ["PrivilegeList", "SeTcbPrivilege"],
          ["ProcessId", lsassPid],
          ["ProcessName", lsass],
        ],
        `${subjectText(machine, world)}\r\n\r\nProcess:\r\n\tProcess Name:\t${lsass}\r\n\r\nService Request Information:\r\n\tPrivileges:\t\tSeTcbPrivilege`,
      );
    default: {
      const p = program(rng);
      return securityEvent(
        rng,
        machine,
        4688,
        13312,
        "Process Creation",
        "A new process has been created.",
        [
          ...subject(machine, world),
          ["NewProcessId", `0x${rng.hex(4)}`],
          ["NewProcessName", p.path],
          ["TokenElevationType", "%%1936"],
          ["ProcessId", `0x${rng.hex(3)}`],
          ["CommandLine", ""],
          ["ParentProcessName", svchost],
        ],
        `${subjectText(machine, world)}\r\n\r\nProcess Information:\r\n\tNew Process Name:\t${p.path}\r\n\tCreator Process Name:\t${svchost}`,
      );
    }
  }
}

/**
 * The needles: true positives of the rule (Task Manager's "Create dump file" on lsass.exe,
 * which writes `lsass.DMP`, then `lsass (2).DMP`, ... under the user's `AppData\Local\Temp`),
 * and decoys, events that look like them but must not match, one for each edge case of
 * ../shared/design/detection.md (a wrong extension, a wrong process name, a wrong event id or
 * channel, an empty Computer, other dumping tools).
 */

import { hashes, pid, processGuid, securityEvent, sysmonEvent, userText } from "./background-events.js";
import { type DataValue, type EventModel, SLOT } from "./event-model.js";
import type { Prng } from "./prng.js";
import { accountOf, type MachineInfo, type UserInfo, type World } from "./world.js";

/** Where Task Manager lives and how Sysmon may spell it (all match the rule). */
export const TASKMGR_IMAGES: readonly (readonly [number, string])[] = [
  [10, "C:\\Windows\\System32\\Taskmgr.exe"],
  [6, "C:\\windows\\system32\\taskmgr.exe"],
  [2, "C:\\Windows\\SysWOW64\\Taskmgr.exe"],
  [1, "C:\\WINDOWS\\system32\\TASKMGR.EXE"],
  [1, "C:\\Windows\\SysWOW64\\taskmgr.exe"],
];

/** Every decoy kind, each one a way to almost match. */
export const DECOY_VARIANTS = [
  "dmp-bak",
  "txt",
  "lsas",
  "nottaskmgr",
  "taskmgr-bak",
  "eventid-110",
  "eventid-1",
  "eventid-10",
  "taskmgr-in-target",
  "taskmgr-parent",
  "security-4663",
  "security-eventid-11",
  "empty-computer",
  "procdump",
  "comsvcs-file",
  "comsvcs-cmdline",
  "cmd-root",
  "taskmgr-other-dump",
] as const;

/** One of {@link DECOY_VARIANTS}. */
export type DecoyVariant = (typeof DECOY_VARIANTS)[number];

/** The profile a dump goes to: one of the machine's users, or an administrator. */
function dumpUser(rng: Prng, world: World, machine: MachineInfo): UserInfo {
  if (machine.users.length > 0 && rng.chance(0.85)) return rng.pick(machine.users);
  return {
    name: "Administrator",
    domain: world.netbios,
    sid: (machine.users[0]?.sid ?? "S-1-5-21-1-2-3-1000").replace(/-\d+$/, "-500"),
    profile: rng.chance(0.3) ? "C:\\Users\\ADMINI~1" : "C:\\Users\\Administrator",
  };
}

/** Task Manager's dump name for the n-th dump (1-based): `lsass.DMP`, `lsass (2).DMP`, ... */
export function taskmgrDumpName(n: number): string {
  return n <= 1 ? "lsass.DMP" : `lsass (${n}).DMP`;
}

/** A Sysmon EID 11 (FileCreate). */
function fileCreated(
  rng: Prng,
  world: World,
  machine: MachineInfo,
  image: string,
  target: string,
  user: UserInfo | undefined,
): EventModel {
  const account = user === undefined ? world.system : accountOf(user);
  return sysmonEvent(rng, world, machine, 11, [
    ["RuleName", "-"],
    ["UtcTime", SLOT.utcTime],
    ["ProcessGuid", processGuid(rng, machine)],
    ["ProcessId", pid(rng)],
    ["Image", image],
    ["TargetFilename", target],
    ["CreationUtcTime", SLOT.utcTime],
    ["User", userText(account)],
  ]);
}

/** Remembers how many dumps each profile has taken, so names go lsass.DMP, lsass (2).DMP, ... */
export class DumpCounter {
  readonly #counts = new Map<string, number>();

  /** The dump number for this profile's next dump; sometimes the previous name again (overwritten). */
  next(rng: Prng, key: string): number {
    const have = this.#counts.get(key) ?? 0;
    if (have > 0 && rng.chance(0.25)) return have;
    this.#counts.set(key, have + 1);
    return have + 1;
  }
}

/**
 * A true positive: Task Manager on `machine` writes an lsass dump. Returns the FileCreate event
 * and, usually, the ProcessAccess on lsass.exe that precedes it in a real capture (which does
 * not match the rule). The dump's number comes from `counter` (per profile), or is `dumpNumber`
 * when given.
 */
export function truePositiveEvents(
  rng: Prng,
  world: World,
  machine: MachineInfo,
  counter: DumpCounter,
  dumpNumber?: number,
): { access: EventModel | null; fileCreate: EventModel } {
  const user = dumpUser(rng, world, machine);
  const image = rng.weighted(TASKMGR_IMAGES);
  const n = dumpNumber ?? counter.next(rng, `${machine.computer}\u0000${user.profile}`);
  const target = `${user.profile}\\AppData\\Local\\Temp\\${taskmgrDumpName(n)}`;
  const fileCreate = fileCreated(rng, world, machine, image, target, user);
  const access = rng.chance(0.8) ? taskmgrOpensLsass(rng, world, machine, image, user) : null;
  return { access, fileCreate };
}

/** Sysmon EID 10: Task Manager opening lsass.exe to dump it (MiniDumpWriteDump in the call trace). */
function taskmgrOpensLsass(rng: Prng, world: World, machine: MachineInfo, image: string, user: UserInfo): EventModel {
  return sysmonEvent(rng, world, machine, 10, [
    ["RuleName", "-"],
    ["UtcTime", SLOT.utcTime],
    ["SourceProcessGUID", processGuid(rng, machine)],
    ["SourceProcessId", pid(rng)],
    ["SourceThreadId", pid(rng)],
    ["SourceImage", image],
    ["TargetProcessGUID", processGuid(rng, machine)],
    ["TargetProcessId", rng.range(150, 250) * 4],
    ["TargetImage", "C:\\Windows\\system32\\lsass.exe"],
    ["GrantedAccess", rng.pick(["0x1fffff", "0x1410", "0x1438"])],
    [
      "CallTrace",
      `C:\\Windows\\SYSTEM32\\ntdll.dll+9d1e4|C:\\Windows\\System32\\KERNELBASE.dll+2bcbe|C:\\Windows\\SYSTEM32\\dbgcore.DLL+${rng.hex(4)}|${image}+${rng.hex(5)}|C:\\Windows\\System32\\KERNEL32.DLL+17034|C:\\Windows\\SYSTEM32\\ntdll.dll+526a1`,
    ],
    ["SourceUser", userText(accountOf(user))],
    ["TargetUser", "NT AUTHORITY\\SYSTEM"],
  ]);
}

function processCreated(
  rng: Prng,
  world: World,
  machine: MachineInfo,
  user: UserInfo,
  image: string,
  commandLine: string,
  parentImage: string,
): EventModel {
  const base = image.slice(image.lastIndexOf("\\") + 1);
  return sysmonEvent(rng, world, machine, 1, [
    ["RuleName", "-"],
    ["UtcTime", SLOT.utcTime],
    ["ProcessGuid", processGuid(rng, machine)],
    ["ProcessId", pid(rng)],
    ["Image", image],
    ["FileVersion", "10.0.19041.1 (WinBuild.160101.0800)"],
    ["Description", base],
    ["Product", "Microsoft® Windows® Operating System"],
    ["Company", "Microsoft Corporation"],
    ["OriginalFileName", base],
    ["CommandLine", commandLine],
    ["CurrentDirectory", `${user.profile}\\AppData\\Local\\Temp\\`],
    ["User", userText(accountOf(user))],
    ["LogonGuid", `{${machine.guidPrefix}-${rng.hex(4)}-${rng.hex(4)}-${rng.hex(4)}-${rng.hex(12)}}`],
    ["LogonId", `0x${rng.hex(6)}`],
    ["TerminalSessionId", rng.range(1, 3)],
    ["IntegrityLevel", "High"],
    ["Hashes", hashes(rng)],
    ["ParentProcessGuid", processGuid(rng, machine)],
    ["ParentProcessId", pid(rng)],
    ["ParentImage", parentImage],
    ["ParentCommandLine", `"${parentImage}"`],
    ["ParentUser", userText(accountOf(user))],
  ]);
}

/** A decoy of the given kind (random kind when omitted); it must never match the rule. */
export function decoyEvent(
  rng: Prng,
  world: World,
  machine: MachineInfo,
  variant: DecoyVariant = rng.pick(DECOY_VARIANTS),
): EventModel {
  const user = dumpUser(rng, world, machine);
  const temp = `${user.profile}\\AppData\\Local\\Temp`;
  const taskmgr = rng.weighted(TASKMGR_IMAGES);
  const dump = taskmgrDumpName(rng.range(1, 3));
  switch (variant) {
    case "dmp-bak":
      return fileCreated(rng, world, machine, taskmgr, `${temp}\\${dump}.bak`, user);
    case "txt":
      return fileCreated(rng, world, machine, taskmgr, `${temp}\\lsass.txt`, user);
    case "lsas":
      return fileCreated(rng, world, machine, taskmgr, `${temp}\\lsas.DMP`, user);
    case "nottaskmgr":
      return fileCreated(rng, world, machine, "C:\\Tools\\nottaskmgr.exe", `${temp}\\${dump}`, user);
    case "taskmgr-bak":
      return fileCreated(rng, world, machine, `${taskmgr}.bak`, `${temp}\\${dump}`, user);
    case "eventid-110": {
      const e = fileCreated(rng, world, machine, taskmgr, `${temp}\\${dump}`, user);
      e.eventId = 110;
      e.task = 110;
      return e;
    }
    case "eventid-1":
      return processCreated(
        rng,
        world,
        machine,
        user,
        taskmgr,
        `"${taskmgr}" /4 /dump lsass.exe ${temp}\\${dump}`,
        "C:\\Windows\\explorer.exe",
      );
    case "eventid-10":
      return taskmgrOpensLsass(rng, world, machine, taskmgr, user);
    case "taskmgr-in-target":
      return fileCreated(
        rng,
        world,
        machine,
        "C:\\Windows\\explorer.exe",
        `${user.profile}\\Desktop\\taskmgr.exe dumps\\${dump}`,
        user,
      );
    case "taskmgr-parent":
      return processCreated(
        rng,
        world,
        machine,
        user,
        "C:\\Windows\\System32\\rundll32.exe",
        `rundll32.exe C:\\Windows\\System32\\comsvcs.dll, MiniDump 656 ${temp}\\${dump} full`,
        taskmgr,
      );
    case "security-4663": {
      const object = `${temp}\\${dump}`;
      return securityEvent(
        rng,
        machine,
        4663,
        12800,
        "File System",
        "An attempt was made to access an object.",
        [
          ["SubjectUserSid", user.sid],
          ["SubjectUserName", user.name],
          ["SubjectDomainName", user.domain],
          ["ObjectServer", "Security"],
          ["ObjectType", "File"],
          ["ObjectName", object],
          ["AccessMask", "0x2"],
          ["ProcessId", `0x${rng.hex(4)}`],
          ["ProcessName", taskmgr],
        ],
        `Object:\r\n\tObject Type:\t\tFile\r\n\tObject Name:\t\t${object}\r\n\r\nProcess Information:\r\n\tProcess Name:\t\t${taskmgr}\r\n\r\nAccess Request Information:\r\n\tAccesses:\t\tWriteData (or AddFile)`,
      );
    }
    case "security-eventid-11": {
      const data: [string, DataValue][] = [
        ["SubjectUserSid", user.sid],
        ["Image", taskmgr],
        ["TargetFilename", `${temp}\\${dump}`],
      ];
      return securityEvent(rng, machine, 11, 12800, "File System", "A file was written.", data, "");
    }
    case "empty-computer": {
      const e = fileCreated(rng, world, machine, taskmgr, `${temp}\\${dump}`, user);
      e.computer = "";
      e.host = null;
      return e;
    }
    case "procdump":
      return fileCreated(
        rng,
        world,
        machine,
        rng.pick(["C:\\Tools\\procdump64.exe", "C:\\Users\\Public\\procdump.exe"]),
        rng.pick([`${temp}\\lsass_dump.dmp`, "C:\\Windows\\Temp\\lsass_dump-3.dmp"]),
        user,
      );
    case "comsvcs-file":
      return fileCreated(
        rng,
        world,
        machine,
        "C:\\Windows\\System32\\rundll32.exe",
        rng.pick(["C:\\Windows\\Temp\\lsass-comsvcs.dmp", `${temp}\\lsass.dmp`]),
        user,
      );
    case "comsvcs-cmdline":
      return processCreated(
        rng,
        world,
        machine,
        user,
        "C:\\Windows\\System32\\rundll32.exe",
        `"C:\\Windows\\System32\\rundll32.exe" C:\\Windows\\System32\\comsvcs.dll, MiniDump 672 C:\\Windows\\Temp\\lsass.dmp full`,
        "C:\\Windows\\System32\\WindowsPowerShell\\v1.0\\powershell.exe",
      );
    case "cmd-root":
      return fileCreated(rng, world, machine, "C:\\Windows\\system32\\cmd.exe", "C:\\lsass.dmp", user);
    case "taskmgr-other-dump":
      return fileCreated(
        rng,
        world,
        machine,
        taskmgr,
        `${temp}\\${rng.pick(["svchost.DMP", "explorer (2).DMP", "chrome.DMP", "MsMpEng.DMP"])}`,
        user,
      );
  }
}

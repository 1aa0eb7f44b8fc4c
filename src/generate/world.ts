/**
 * The fictional network a corpus is logged from: a domain, its machines and their users.
 * Made once per seed, so every event of a corpus names machines and people that exist in it
 * (the same host keeps its GUID prefix, IP and users), as in a real collection.
 */

import type { AccountInfo, HostInfo } from "./event-model.js";
import type { Prng } from "./prng.js";
import { DOMAINS, HOST_PATTERNS, NON_ASCII_HOSTS, SPECIAL_USER_NAMES, USER_NAMES } from "./vocabulary.js";

/** A person with a profile on a machine. */
export interface UserInfo {
  /** Login name, e.g. `jdoe`. */
  name: string;
  /** NetBIOS domain (upper case), e.g. `CONTOSO`. */
  domain: string;
  sid: string;
  /** Profile folder, e.g. `C:\Users\jdoe` or the 8.3 form `C:\Users\ADMINI~1`. */
  profile: string;
}

/** A machine and who uses it. */
export interface MachineInfo extends HostInfo {
  users: UserInfo[];
}

/** The network: machines, the domain controller and the well-known accounts. */
export interface World {
  domain: string;
  /** NetBIOS domain name, e.g. `CONTOSO`. */
  netbios: string;
  machines: MachineInfo[];
  /** The DC's short name (for DNS queries). */
  dc: string;
  /** Collector that forwarded NXLog events (`host` in flat JSON, never the endpoint). */
  collector: string;
  system: AccountInfo;
  localService: AccountInfo;
  networkService: AccountInfo;
}

const ALNUM = "ABCDEFGHJKLMNPQRSTUVWXYZ0123456789";

function fillPattern(rng: Prng, pattern: string): string {
  let s = "";
  for (const c of pattern) {
    if (c === "#") s += String(rng.int(10));
    else if (c === "?") s += ALNUM[rng.int(ALNUM.length)];
    else s += c;
  }
  return s;
}

/** Windows's 8.3 short name of a profile folder longer than eight characters (`ADMINI~1`). */
function shortName(name: string): string {
  const letters = name.toUpperCase().replace(/[^A-Z0-9]/g, "");
  return `${letters.slice(0, 6)}~1`;
}

function domainSid(rng: Prng): string {
  return `S-1-5-21-${rng.range(1000000000, 4294967295)}-${rng.range(1000000000, 4294967295)}-${rng.range(1000000000, 4294967295)}`;
}

function makeUser(rng: Prng, netbios: string, sidBase: string, name: string): UserInfo {
  const rid = name === "Administrator" ? 500 : rng.range(1104, 9999);
  let folder = name;
  const r = rng.float();
  if (r < 0.08 && name.length > 8) folder = shortName(name);
  else if (r < 0.14) folder = `${name}.${netbios}`;
  return { name, domain: netbios, sid: `${sidBase}-${rid}`, profile: `C:\\Users\\${folder}` };
}

/** Builds a network of `machineCount` machines (default 12–40) from `rng`. */
export function makeWorld(rng: Prng, machineCount = rng.range(12, 40)): World {
  const domain = rng.pick(DOMAINS);
  const netbios = (domain.split(".")[domain.startsWith("corp.") || domain.startsWith("ad.") ? 1 : 0] ?? "CORP")
    .toUpperCase()
    .slice(0, 15);
  const sidBase = domainSid(rng);
  const machines: MachineInfo[] = [];
  const seen = new Set<string>();
  for (let i = 0; machines.length < machineCount && i < machineCount * 4; i++) {
    const nonAscii = rng.chance(0.06);
    const short = nonAscii ? rng.pick(NON_ASCII_HOSTS) : fillPattern(rng, rng.weighted(HOST_PATTERNS));
    if (seen.has(short)) continue;
    seen.add(short);
    const fqdn = rng.chance(0.9);
    const users: UserInfo[] = [];
    const userCount = rng.range(1, 3);
    for (let u = 0; u < userCount; u++) {
      const name = rng.pick(USER_NAMES);
      if (users.some((x) => x.name === name)) continue;
      users.push(makeUser(rng, netbios, sidBase, name));
    }
    machines.push({
      computer: fqdn ? `${short}.${domain}` : short,
      shortName: short.toLowerCase(),
      guidPrefix: rng.hex(8),
      ip: `10.${rng.range(0, 3)}.${rng.range(1, 254)}.${rng.range(2, 254)}`,
      mac: Array.from({ length: 6 }, () => rng.HEX(2)).join("-"),
      osBuild: rng.pick(["19044.2130", "19045.2251", "17763.3532", "20348.1129", "22621.755"]),
      osName: rng.pick(["Windows 10 Enterprise", "Windows 10 Pro", "Windows Server 2019 Datacenter", "Windows 11 Pro"]),
      users,
    });
  }
  // At least one machine with a non-ASCII name, so every corpus carries one.
  const last = machines[machines.length - 1];
  if (last !== undefined && !machines.some((m) => /[^\x00-\x7f]/.test(m.computer))) {
    const short = rng.pick(NON_ASCII_HOSTS);
    last.computer = `${short}.${domain}`;
    last.shortName = short.toLowerCase();
  }
  // Every awkward name lives somewhere, so each corpus exercises every escape and decoder.
  for (const name of SPECIAL_USER_NAMES) {
    const machine = rng.pick(machines);
    if (!machine.users.some((u) => u.name === name)) machine.users.push(makeUser(rng, netbios, sidBase, name));
  }
  const system: AccountInfo = { domain: "NT AUTHORITY", name: "SYSTEM", type: "User", sid: "S-1-5-18" };
  return {
    domain,
    netbios,
    machines,
    dc: `DC0${rng.range(1, 3)}`,
    collector: `wec${rng.range(1, 4)}.${domain}`,
    system,
    localService: { domain: "NT AUTHORITY", name: "LOCAL SERVICE", type: "Well Known Group", sid: "S-1-5-19" },
    networkService: { domain: "NT AUTHORITY", name: "NETWORK SERVICE", type: "Well Known Group", sid: "S-1-5-20" },
  };
}

/** The account of a user, as NXLog / Winlogbeat report it. */
export function accountOf(user: UserInfo): AccountInfo {
  return { domain: user.domain, name: user.name, type: "User", sid: user.sid };
}

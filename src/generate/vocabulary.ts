/**
 * Word lists for believable Windows telemetry: process images, DLLs, registry keys, DNS names,
 * host and user names. Modelled on what public Sysmon datasets (OTRF Security-Datasets,
 * Splunk attack_data, EVTX-to-MITRE-Attack) show; every value here is made up or a stock
 * Windows path, none is copied from those datasets.
 */

/** A program that shows up in Sysmon events, with its PE metadata (as Sysmon EID 1/7 report it). */
export interface ProgramInfo {
  path: string;
  description: string;
  product: string;
  company: string;
  fileVersion: string;
  originalFileName: string;
}

const MS = "Microsoft Corporation";
const WINDOWS = "Microsoft® Windows® Operating System";
const BUILD = "10.0.19041.1 (WinBuild.160101.0800)";

function windowsProgram(path: string, description: string, version = BUILD): ProgramInfo {
  const base = path.slice(path.lastIndexOf("\\") + 1);
  return { path, description, product: WINDOWS, company: MS, fileVersion: version, originalFileName: base };
}

/** System processes, weighted by how often they appear as the acting process in real logs. */
export const SYSTEM_PROGRAMS: readonly (readonly [number, ProgramInfo])[] = [
  [30, windowsProgram("C:\\Windows\\System32\\svchost.exe", "Host Process for Windows Services")],
  [8, windowsProgram("C:\\Windows\\explorer.exe", "Windows Explorer", "10.0.19041.1949 (WinBuild.160101.0800)")],
  [2, windowsProgram("C:\\Windows\\System32\\lsass.exe", "Local Security Authority Process")],
  [4, windowsProgram("C:\\Windows\\System32\\services.exe", "Services and Controller app")],
  [4, windowsProgram("C:\\Windows\\System32\\csrss.exe", "Client Server Runtime Process")],
  [3, windowsProgram("C:\\Windows\\System32\\wbem\\WmiPrvSE.exe", "WMI Provider Host")],
  [4, windowsProgram("C:\\Windows\\System32\\RuntimeBroker.exe", "Runtime Broker")],
  [3, windowsProgram("C:\\Windows\\System32\\SearchIndexer.exe", "Microsoft Windows Search Indexer")],
  [3, windowsProgram("C:\\Windows\\System32\\taskhostw.exe", "Host Process for Windows Tasks")],
  [3, windowsProgram("C:\\Windows\\System32\\conhost.exe", "Console Window Host")],
  [
    4,
    windowsProgram(
      "C:\\Windows\\System32\\WindowsPowerShell\\v1.0\\powershell.exe",
      "Windows PowerShell",
      "10.0.19041.546 (WinBuild.160101.0800)",
    ),
  ],
  [2, windowsProgram("C:\\Windows\\System32\\cmd.exe", "Windows Command Processor")],
  [2, windowsProgram("C:\\Windows\\System32\\backgroundTaskHost.exe", "Background Task Host")],
  [2, windowsProgram("C:\\Windows\\System32\\dllhost.exe", "COM Surrogate")],
  [2, windowsProgram("C:\\Windows\\System32\\sihost.exe", "Shell Infrastructure Host")],
  [2, windowsProgram("C:\\Windows\\System32\\spoolsv.exe", "Spooler SubSystem App")],
  [2, windowsProgram("C:\\Windows\\System32\\winlogon.exe", "Windows Logon Application")],
  [1, windowsProgram("C:\\Windows\\System32\\wininit.exe", "Windows Start-Up Application")],
  [1, windowsProgram("C:\\Windows\\System32\\smartscreen.exe", "Windows Defender SmartScreen")],
  [1, windowsProgram("C:\\Windows\\System32\\ctfmon.exe", "CTF Loader")],
  [1, windowsProgram("C:\\Windows\\System32\\MoUsoCoreWorker.exe", "MoUSO Core Worker Process")],
  [1, windowsProgram("C:\\Windows\\System32\\wermgr.exe", "Windows Problem Reporting")],
  [0.3, windowsProgram("C:\\Windows\\System32\\Taskmgr.exe", "Task Manager")],
  [1, windowsProgram("C:\\Windows\\System32\\mmc.exe", "Microsoft Management Console")],
  [
    1,
    windowsProgram(
      "C:\\Windows\\SystemApps\\Microsoft.Windows.Search_cw5n1h2txyewy\\SearchApp.exe",
      "Search application",
      "7.2101.20006.1000",
    ),
  ],
  [
    4,
    {
      path: "C:\\ProgramData\\Microsoft\\Windows Defender\\Platform\\4.18.2205.7-0\\MsMpEng.exe",
      description: "Antimalware Service Executable",
      product: WINDOWS,
      company: MS,
      fileVersion: "4.18.2205.7 (WinBuild.160101.0800)",
      originalFileName: "MsMpEng.exe",
    },
  ],
  [
    3,
    {
      path: "C:\\Program Files (x86)\\Google\\Chrome\\Application\\chrome.exe",
      description: "Google Chrome",
      product: "Google Chrome",
      company: "Google LLC",
      fileVersion: "106.0.5249.119",
      originalFileName: "chrome.exe",
    },
  ],
  [
    2,
    {
      path: "C:\\Program Files\\Microsoft Office\\root\\Office16\\OUTLOOK.EXE",
      description: "Microsoft Outlook",
      product: "Microsoft Outlook",
      company: MS,
      fileVersion: "16.0.15601.20148",
      originalFileName: "Outlook.exe",
    },
  ],
  [
    2,
    {
      path: "C:\\Program Files\\SplunkUniversalForwarder\\bin\\splunkd.exe",
      description: "Splunk Universal Forwarder",
      product: "splunk Application",
      company: "Splunk Inc.",
      fileVersion: "9.0.1",
      originalFileName: "splunkd.exe",
    },
  ],
  [
    1,
    {
      path: "C:\\Windows\\Sysmon64.exe",
      description: "System activity monitor",
      product: "Sysinternals Sysmon",
      company: "Sysinternals - www.sysinternals.com",
      fileVersion: "14.0",
      originalFileName: "-",
    },
  ],
  [
    1,
    {
      path: "C:\\Program Files\\Mozilla Firefox\\firefox.exe",
      description: "Firefox",
      product: "Firefox",
      company: "Mozilla Corporation",
      fileVersion: "105.0.3",
      originalFileName: "firefox.exe",
    },
  ],
];

/** DLLs loaded by processes (Sysmon EID 7), and frames of EID 10 CallTrace. */
export const SYSTEM_DLLS: readonly string[] = [
  "ntdll.dll",
  "KERNEL32.DLL",
  "KERNELBASE.dll",
  "advapi32.dll",
  "msvcrt.dll",
  "sechost.dll",
  "RPCRT4.dll",
  "combase.dll",
  "ucrtbase.dll",
  "user32.dll",
  "win32u.dll",
  "gdi32.dll",
  "bcrypt.dll",
  "crypt32.dll",
  "wintrust.dll",
  "samcli.dll",
  "netapi32.dll",
  "wldp.dll",
  "amsi.dll",
  "clbcatq.dll",
  "oleaut32.dll",
  "shell32.dll",
  "dbghelp.dll",
  "dbgcore.dll",
  "wbemcomn.dll",
  "lsasrv.dll",
  "SspiSrv.dll",
  "psmserviceexthost.dll",
  "lsm.dll",
  "mswsock.dll",
  "dnsapi.dll",
];

/** Granted access masks seen in EID 10, weighted (0x1000 / 0x1400 dominate in real logs). */
export const ACCESS_MASKS: readonly (readonly [number, string])[] = [
  [40, "0x1000"],
  [15, "0x1400"],
  [10, "0x1410"],
  [8, "0x101000"],
  [5, "0x101400"],
  [4, "0x40"],
  [3, "0x1fffff"],
  [2, "0x100000"],
];

/** Registry keys written in EID 12/13 (`HKU\{sid}` is replaced by a user's hive). */
export const REGISTRY_KEYS: readonly string[] = [
  "HKLM\\System\\CurrentControlSet\\Services\\bam\\State\\UserSettings\\{sid}\\\\Device\\HarddiskVolume2\\Windows\\System32\\{exe}",
  "HKLM\\SOFTWARE\\Microsoft\\Windows\\CurrentVersion\\Internet Settings\\Connections",
  "HKLM\\SOFTWARE\\Microsoft\\Windows NT\\CurrentVersion\\Schedule\\TaskCache\\Tasks\\{guid}\\DynamicInfo",
  "HKU\\{sid}\\Software\\Microsoft\\Windows\\CurrentVersion\\Explorer\\UserAssist\\{CEBFF5CD-ACE2-4F4F-9178-9926F41749EA}\\Count\\HRZR_PGYFRFFVBA",
  "HKU\\{sid}\\Software\\Microsoft\\Windows\\CurrentVersion\\Explorer\\RecentDocs\\.txt",
  "HKU\\{sid}\\Software\\Microsoft\\Windows\\CurrentVersion\\Internet Settings\\ZoneMap\\ProxyBypass",
  "HKU\\{sid}\\Software\\Microsoft\\Windows\\CurrentVersion\\Explorer\\FeatureUsage\\AppSwitched\\{exe}",
  "HKLM\\System\\CurrentControlSet\\Services\\W32Time\\Config\\LastKnownGoodTime",
  "HKLM\\SOFTWARE\\Microsoft\\Windows Defender\\Signature Updates\\SignaturesLastChecked",
  "HKLM\\SOFTWARE\\Microsoft\\Windows\\CurrentVersion\\WINEVT\\Publishers\\{guid}",
  "HKLM\\System\\CurrentControlSet\\Services\\SysmonDrv\\Parameters\\ConfigHash",
  "HKLM\\SOFTWARE\\Microsoft\\Windows\\CurrentVersion\\Explorer\\Shell Folders",
  "HKU\\{sid}\\Software\\Microsoft\\Office\\16.0\\Outlook\\Profiles\\Outlook\\0a0d020000000000c000000000000046\\01023d0e",
  "HKLM\\SOFTWARE\\Microsoft\\Windows NT\\CurrentVersion\\Winlogon\\AutoRestartShell",
  "HKLM\\System\\CurrentControlSet\\Control\\Lsa\\RunAsPPL",
];

/** Registry value details in EID 13, as Sysmon renders them. */
export const REGISTRY_DETAILS: readonly string[] = [
  "DWORD (0x00000001)",
  "DWORD (0x00000000)",
  "QWORD (0x01d690bb-0xad9dd17e)",
  "Binary Data",
  "(Empty)",
  "C:\\Windows\\system32\\svchost.exe -k netsvcs -p",
  "%%SystemRoot%%\\system32\\svchost.exe",
];

/** DNS names queried in EID 22. */
export const DNS_NAMES: readonly string[] = [
  "login.microsoftonline.com",
  "settings-win.data.microsoft.com",
  "ctldl.windowsupdate.com",
  "www.bing.com",
  "outlook.office365.com",
  "wpad",
  "fp-vs.azureedge.net",
  "v10.events.data.microsoft.com",
  "clients2.google.com",
  "time.windows.com",
  "ocsp.digicert.com",
  "_ldap._tcp.dc._msdcs.{domain}",
  "{dc}.{domain}",
  "download.windowsupdate.com",
];

/** Files that system processes create (EID 11), `{user}` and `{rand}` filled in. */
export const CREATED_FILES: readonly (readonly [string, string])[] = [
  ["svchost.exe", "C:\\Windows\\Prefetch\\{EXE}-{HEX8}.pf"],
  ["svchost.exe", "C:\\Windows\\ServiceState\\EventLog\\Data\\lastalive{d}.dat"],
  ["svchost.exe", "C:\\Windows\\System32\\Tasks\\Microsoft\\Windows\\UpdateOrchestrator\\Schedule Scan"],
  ["powershell.exe", "C:\\Users\\{user}\\AppData\\Local\\Temp\\__PSScriptPolicyTest_{rand}.{rand3}.ps1"],
  [
    "powershell.exe",
    "C:\\Users\\{user}\\AppData\\Local\\Microsoft\\Windows\\PowerShell\\StartupProfileData-NonInteractive",
  ],
  ["chrome.exe", "C:\\Users\\{user}\\AppData\\Local\\Google\\Chrome\\User Data\\Default\\Cache\\Cache_Data\\f_{hex6}"],
  [
    "OUTLOOK.EXE",
    "C:\\Users\\{user}\\AppData\\Local\\Microsoft\\Windows\\INetCache\\Content.Outlook\\{RAND8}\\image001.png",
  ],
  ["explorer.exe", "C:\\Users\\{user}\\AppData\\Roaming\\Microsoft\\Windows\\Recent\\{doc}.lnk"],
  ["explorer.exe", "C:\\Users\\{user}\\Downloads\\{doc}"],
  ["MsMpEng.exe", "C:\\ProgramData\\Microsoft\\Windows Defender\\Scans\\History\\CacheManager\\{HEX8}-0.bin"],
  ["MsMpEng.exe", "C:\\Windows\\Temp\\MpCmdRun.log"],
  ["Taskmgr.exe", "C:\\Users\\{user}\\AppData\\Local\\D3DSCache\\{hex16}\\{GUID}.lock"],
  [
    "splunkd.exe",
    "C:\\Program Files\\SplunkUniversalForwarder\\var\\lib\\splunk\\fishbucket\\splunk_private_db\\snapshot.tmp",
  ],
  ["WmiPrvSE.exe", "C:\\Windows\\System32\\wbem\\Performance\\WmiApRpl_new.ini"],
  [
    "SearchIndexer.exe",
    "C:\\ProgramData\\Microsoft\\Search\\Data\\Applications\\Windows\\GatherLogs\\SystemIndex\\SystemIndex.{d}.Crwl",
  ],
  ["svchost.exe", "C:\\Windows\\SoftwareDistribution\\Download\\{hex32}\\metadata.cab"],
  ["wermgr.exe", "C:\\ProgramData\\Microsoft\\Windows\\WER\\Temp\\WER{HEX4}.tmp.WERInternalMetadata.xml"],
];

/** Document names users touch. */
export const DOCUMENTS: readonly string[] = [
  "Q3 budget.xlsx",
  "meeting notes.docx",
  "invoice_2291.pdf",
  "VPN setup.txt",
  "org chart (draft).pptx",
  "résumé.pdf",
  "Übersicht 2022.xlsx",
  "setup.msi",
];

/** Company domains for FQDNs (all fictitious, RFC 2606 or Microsoft sample names). */
export const DOMAINS: readonly string[] = [
  "corp.contoso.com",
  "fabrikam.local",
  "northwind.lan",
  "ad.adatum.com",
  "example.org",
  "tailspin.corp",
  "wingtip.local",
  "litware.lan",
];

/** NetBIOS-style host name patterns (`#` a digit, `?` a letter or digit). */
export const HOST_PATTERNS: readonly (readonly [number, string])[] = [
  [10, "WKS-####"],
  [8, "DESKTOP-???????"],
  [6, "LAPTOP-???????"],
  [3, "WORKSTATION#"],
  [2, "SRV-FILE0#"],
  [2, "DC0#"],
  [1, "SQL0#"],
  [1, "EXCH0#"],
  [1, "win-host-attack-range-###"],
];

/** Host names with non-ASCII letters (Windows allows them; they test UTF-8 end to end). */
export const NON_ASCII_HOSTS: readonly string[] = [
  "PC-MÜNCHEN-07",
  "OFICINA-ESPAÑA-2",
  "ПК-БУХГАЛТЕР",
  "東京-PC01",
  "KØBENHAVN-WS3",
];

/** Ordinary user names (login names, as in profile folders). */
export const USER_NAMES: readonly string[] = [
  "jdoe",
  "asmith",
  "mgarcia",
  "pwilson",
  "lchen",
  "admin.kwright",
  "svc_backup",
  "Administrator",
  "hjensen",
  "tnakamura",
  "rpatel",
  "ebrown",
  "okovacs",
];

/**
 * User names with characters that need escaping or decoding somewhere: non-ASCII (UTF-8,
 * `\u00e9` in ASCII-only JSON, `&#xE9;` in XML), an astral character (a UTF-16 surrogate pair
 * in `\ud842\udfb7`), `'` and `&` (XML entities, Go's `\u0026`).
 */
export const SPECIAL_USER_NAMES: readonly string[] = [
  "josé.garcía",
  "jürgen.müller",
  "søren",
  "田中太郎",
  "𠮷田",
  "o'brien",
  "r&d-lab",
  "zoë",
];

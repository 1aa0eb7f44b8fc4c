/**
 * Text files as Windows PowerShell 5.1 writes them: `Out-File` and the `>` redirection write
 * UTF-16LE ("Unicode") with the byte order mark FF FE, `Out-File -Encoding BigEndianUnicode`
 * writes UTF-16BE with FE FF; every line ends in CRLF, the last one too
 * (learn.microsoft.com, about_Character_Encoding, "Character encoding in Windows PowerShell").
 */

/** The bytes `text | Out-File x` (LE) or `text | Out-File -Encoding BigEndianUnicode x` (BE) leaves on disk. */
export function powershellOutFile(text: string, encoding: "utf-16le" | "utf-16be" = "utf-16le"): Buffer {
  const crlf = `${text.replace(/\r?\n/g, "\r\n").replace(/\r\n$/, "")}\r\n`;
  const le = Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(crlf, "utf16le")]);
  return encoding === "utf-16le" ? le : le.swap16();
}

/**
 * One word of a command as a POSIX shell reads it back: as it is when it holds only characters
 * no shell treats specially, else in single quotes (a single quote inside written '\''). The
 * commands casesync prints (`next: casesync apply …`) are meant to be pasted, paths with spaces too.
 */
export const shellQuote = (word: string): string =>
  /^[\w@%+=:,./-]+$/.test(word) ? word : `'${word.replace(/'/g, "'\\''")}'`

/** A command's words, each quoted as the shell needs. */
export const shellCommand = (words: ReadonlyArray<string>): string => words.map(shellQuote).join(" ")

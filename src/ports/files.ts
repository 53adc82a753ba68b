// Reads small files for track_file (the weight is the integer the file holds).
export interface FileReader {
  /** The file's text, or undefined when it does not exist or cannot be read. */
  read(path: string): string | undefined;
}

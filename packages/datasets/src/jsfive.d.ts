/** The part of jsfive (pure-JS HDF5 reader, no bundled types) that radprobe uses. */
declare module 'jsfive' {
  export class Dataset {
    readonly shape: number[];
    readonly dtype: string | unknown[];
    readonly value: ArrayLike<number>;
  }
  export class Group {
    get(path: string): Group | Dataset;
    readonly keys: string[];
  }
  export class File extends Group {
    constructor(buffer: ArrayBuffer, filename?: string);
  }
}

/**
 * The store keys the registry lays its records and blobs out under (`models/<name>/…`,
 * `datasets/<name>/…`, `blobs/sha256/…`).
 */

/** Pads a version number so that keys sort in numeric order (`7` → `000000007`). */
function padVersion(version: number): string {
  return String(version).padStart(9, '0');
}

/** The store keys the registry uses; every name passed in has been validated already. */
export const registryKeys = {
  /** The model record (created with the first version). */
  model: (name: string) => `models/${name}/model.json`,
  /** Prefix of a model's version records. */
  versionsPrefix: (name: string) => `models/${name}/versions/`,
  /** One immutable version record. */
  version: (name: string, version: number) => `models/${name}/versions/${padVersion(version)}.json`,
  /** Prefix of a model's alias documents. */
  aliasesPrefix: (name: string) => `models/${name}/aliases/`,
  /** One alias document (current target plus its append-only history). */
  alias: (name: string, alias: string) => `models/${name}/aliases/${alias}.json`,
  /** The rollout record of a model. */
  rollout: (name: string) => `models/${name}/rollout.json`,
  /** Prefix of every model. */
  modelsPrefix: () => 'models/',
  /** Prefix of a dataset's version records. */
  datasetVersionsPrefix: (name: string) => `datasets/${name}/versions/`,
  /** One immutable dataset version record. */
  datasetVersion: (name: string, version: number) => `datasets/${name}/versions/${padVersion(version)}.json`,
  /** Prefix of every dataset. */
  datasetsPrefix: () => 'datasets/',
  /** A content-addressed blob. */
  blob: (sha256: string) => `blobs/sha256/${sha256.slice(0, 2)}/${sha256}`,
} as const;

/** Parses the version number out of a version key, or `undefined` if it is not one. */
export function versionFromKey(key: string): number | undefined {
  const m = /\/versions\/(\d{9})\.json$/.exec(key);
  return m ? Number(m[1]) : undefined;
}

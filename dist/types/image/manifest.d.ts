/** The JSON documents of the OCI image spec / Docker schema 2, as types. */
import type { Digest } from './digest.js';
export interface Platform {
    architecture: string;
    os: string;
    variant?: string;
    'os.version'?: string;
    'os.features'?: string[];
}
export interface Descriptor {
    mediaType: string;
    digest: Digest;
    size: number;
    urls?: string[];
    annotations?: Record<string, string>;
    platform?: Platform;
    artifactType?: string;
}
export interface ImageManifest {
    schemaVersion: 2;
    mediaType?: string;
    config: Descriptor;
    layers: Descriptor[];
    annotations?: Record<string, string>;
    subject?: Descriptor;
    artifactType?: string;
}
export interface ImageIndex {
    schemaVersion: 2;
    mediaType?: string;
    manifests: Descriptor[];
    annotations?: Record<string, string>;
}
export interface HealthConfig {
    Test?: string[];
    Interval?: number;
    Timeout?: number;
    StartPeriod?: number;
    StartInterval?: number;
    Retries?: number;
}
/** The runtime part of the image config (Docker's field names). */
export interface ContainerConfig {
    User?: string;
    ExposedPorts?: Record<string, object>;
    Env?: string[];
    Entrypoint?: string[] | null;
    Cmd?: string[] | null;
    Volumes?: Record<string, object>;
    WorkingDir?: string;
    Labels?: Record<string, string>;
    StopSignal?: string;
    ArgsEscaped?: boolean;
    Healthcheck?: HealthConfig;
    OnBuild?: string[] | null;
    Shell?: string[];
}
export interface HistoryEntry {
    created?: string;
    created_by?: string;
    author?: string;
    comment?: string;
    empty_layer?: boolean;
}
export interface ImageConfig {
    created?: string;
    author?: string;
    architecture: string;
    os: string;
    variant?: string;
    'os.version'?: string;
    config: ContainerConfig;
    rootfs: {
        type: 'layers';
        diff_ids: Digest[];
    };
    history?: HistoryEntry[];
}

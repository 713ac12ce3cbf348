/** Media types of the OCI image spec and Docker's image manifest v2 schema 2. */
export declare const MediaType: {
    readonly OciManifest: "application/vnd.oci.image.manifest.v1+json";
    readonly OciIndex: "application/vnd.oci.image.index.v1+json";
    readonly OciConfig: "application/vnd.oci.image.config.v1+json";
    readonly OciLayer: "application/vnd.oci.image.layer.v1.tar";
    readonly OciLayerGzip: "application/vnd.oci.image.layer.v1.tar+gzip";
    readonly OciLayerZstd: "application/vnd.oci.image.layer.v1.tar+zstd";
    readonly OciEmptyJson: "application/vnd.oci.empty.v1+json";
    readonly DockerManifest: "application/vnd.docker.distribution.manifest.v2+json";
    readonly DockerManifestList: "application/vnd.docker.distribution.manifest.list.v2+json";
    readonly DockerConfig: "application/vnd.docker.container.image.v1+json";
    readonly DockerLayerGzip: "application/vnd.docker.image.rootfs.diff.tar.gzip";
    readonly DockerForeignLayerGzip: "application/vnd.docker.image.rootfs.foreign.diff.tar.gzip";
};
export type MediaTypeName = (typeof MediaType)[keyof typeof MediaType];
export declare function isIndexMediaType(mt: string | undefined): boolean;
export declare function isManifestMediaType(mt: string | undefined): boolean;
/** Compression of a layer blob, from its media type (OCI's, Docker's, and containerd's Docker zstd). */
export declare function layerCompression(mt: string): 'gzip' | 'zstd' | 'none';
/** Every manifest type Kiln reads, for registry Accept headers. */
export declare const MANIFEST_ACCEPT: readonly ["application/vnd.oci.image.index.v1+json", "application/vnd.oci.image.manifest.v1+json", "application/vnd.docker.distribution.manifest.list.v2+json", "application/vnd.docker.distribution.manifest.v2+json"];

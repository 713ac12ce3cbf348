/**
 * Manifest formats and the media types each demands. Kiln writes OCI by
 * default and Docker schema 2 when asked. Layer bytes never change between
 * formats, only the descriptor's media type: an OCI manifest must not name a
 * Docker layer type and a Docker manifest must not name an OCI one (registries
 * such as Quay and ECR reject the mix, and Docker before 20.10 cannot pull OCI
 * layer types), so descriptors are converted when the manifest is made.
 */
import { isManifestMediaType, MediaType } from './media-types.js';

export type ManifestFormat = 'oci' | 'docker';

/** Media types outside media-types.ts that layers can still carry. */
export const ExtraMediaType = {
  DockerLayer: 'application/vnd.docker.image.rootfs.diff.tar',
  /** containerd's name for a zstd layer under Docker types; not in Docker's spec. */
  DockerLayerZstd: 'application/vnd.docker.image.rootfs.diff.tar.zstd',
  OciNondistributableGzip: 'application/vnd.oci.image.layer.nondistributable.v1.tar+gzip',
  OciNondistributable: 'application/vnd.oci.image.layer.nondistributable.v1.tar',
} as const;

export class MediaTypeError extends Error {
  override name = 'MediaTypeError';
}

export function manifestMediaType(format: ManifestFormat): string {
  return format === 'oci' ? MediaType.OciManifest : MediaType.DockerManifest;
}

export function configMediaType(format: ManifestFormat): string {
  return format === 'oci' ? MediaType.OciConfig : MediaType.DockerConfig;
}

/** The format of a manifest media type; throws on anything that is not an image manifest. */
export function formatOf(manifestMt: string): ManifestFormat {
  if (!isManifestMediaType(manifestMt)) {
    throw new MediaTypeError(
      `"${manifestMt}" is not an image manifest media type: expected ${MediaType.OciManifest} or ${MediaType.DockerManifest}`,
    );
  }
  return manifestMt === MediaType.OciManifest ? 'oci' : 'docker';
}

const TO_OCI: Record<string, string> = {
  [MediaType.DockerLayerGzip]: MediaType.OciLayerGzip,
  [ExtraMediaType.DockerLayer]: MediaType.OciLayer,
  [ExtraMediaType.DockerLayerZstd]: MediaType.OciLayerZstd,
  [MediaType.DockerForeignLayerGzip]: ExtraMediaType.OciNondistributableGzip,
};

const TO_DOCKER: Record<string, string> = {
  [MediaType.OciLayerGzip]: MediaType.DockerLayerGzip,
  [MediaType.OciLayer]: ExtraMediaType.DockerLayer,
  [ExtraMediaType.OciNondistributableGzip]: MediaType.DockerForeignLayerGzip,
};

/**
 * The media type a layer descriptor gets in a manifest of `format`. Types
 * already right (and types Kiln does not know) pass unchanged. zstd has no
 * Docker schema 2 type: asking for one is an error that says what to do.
 */
export function layerMediaTypeFor(mt: string, format: ManifestFormat): string {
  if (format === 'oci') return TO_OCI[mt] ?? mt;
  if (mt === MediaType.OciLayerZstd || mt === ExtraMediaType.DockerLayerZstd) {
    throw new MediaTypeError(
      `a zstd layer cannot go into a Docker schema 2 manifest (Docker's format has no zstd layer type): push OCI media types or compress layers with gzip`,
    );
  }
  return TO_DOCKER[mt] ?? mt;
}

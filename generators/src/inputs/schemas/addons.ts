import { z } from 'zod';

/**
 * `clusters/addons.yaml`: the one pinned place for Argo CD and every add-on chart, shared by all
 * clusters. Which add-ons a cluster installs follows from its flavor and provider; their
 * versions come only from here, so a dependency bot moves one line per chart (each entry carries
 * a `# renovate:` comment naming its datasource).
 */

const exactVersion = z
  .string()
  .regex(/^[0-9]+\.[0-9]+\.[0-9]+(-[0-9A-Za-z.-]+)?$/, 'must be an exact chart version such as "1.3.2": no ranges, no "v" prefix')
  .describe('Exact chart version.');

const imageTag = z
  .string()
  .regex(/^v?[0-9]+\.[0-9]+\.[0-9]+([-+][0-9A-Za-z.-]+)?$/, 'must be an exact image tag such as "v3.5.7": never "latest" or a range')
  .describe('Exact image tag.');

/** One Helm chart, pinned. */
export const pinnedChart = z
  .strictObject({
    repoURL: z
      .string()
      .regex(/^(https:\/\/|oci:\/\/)[^\s]+$/, 'must be an https:// Helm repository or an oci:// chart reference')
      .describe('Helm repository (https://) or OCI chart reference (oci://registry/path/chart, no tag).'),
    chart: z
      .string()
      .regex(/^[a-z0-9][a-z0-9-]*$/, 'must be a chart name such as "external-secrets"')
      .optional()
      .describe('Chart name in an https:// repository. Leave it out for oci://: the reference names the chart.'),
    version: exactVersion,
    image: z
      .strictObject({
        repository: z.string().min(1).optional().describe('Image repository, when the chart default is not the one to run.'),
        tag: imageTag,
      })
      .optional()
      .describe('Image the chart runs, when it is pinned apart from the chart (Argo CD, the ADOT collector).'),
  })
  .superRefine((chart, ctx) => {
    if (chart.repoURL.startsWith('https://') && !chart.chart) ctx.addIssue({ code: 'custom', path: ['chart'], message: 'is required for an https:// repository' });
    if (chart.repoURL.startsWith('oci://') && chart.chart) ctx.addIssue({ code: 'custom', path: ['chart'], message: 'must be left out for oci://: put the chart in repoURL (oci://registry/path/chart)' });
  })
  .describe('A Helm chart pinned to one version.');
export type PinnedChart = z.infer<typeof pinnedChart>;

/** Chart ids, as `charts:` lists them. */
export const chartIds = [
  'argo-cd',
  'external-secrets',
  'argo-workflows',
  'ack-rds',
  'ack-elasticache',
  'ack-s3',
  'ack-sqs',
  'crossplane',
  'aws-load-balancer-controller',
  'external-dns',
  'amazon-cloudwatch-observability',
  'adot-collector',
] as const;
export type ChartId = (typeof chartIds)[number];

/** Crossplane provider packages of the provider-aws family, by AWS service. */
export const crossplaneProviderIds = ['rds', 'elasticache', 's3', 'sqs'] as const;
export type CrossplaneProviderId = (typeof crossplaneProviderIds)[number];

export const addonCatalogueSchema = z.strictObject({
  charts: z
    .strictObject(Object.fromEntries(chartIds.map((id) => [id, pinnedChart.describe(`The ${id} chart.`)])) as Record<ChartId, typeof pinnedChart>)
    .describe('Every chart an add-on installs, by id. argo-cd also names the Argo CD image tag: it must be the Argo CD release the CRD schemas are validated against.'),
  crossplaneProviders: z
    .strictObject(
      Object.fromEntries(
        crossplaneProviderIds.map((id) => [
          id,
          z
            .string()
            .regex(/^[a-z0-9.-]+(\/[a-z0-9._-]+)+:v[0-9]+\.[0-9]+\.[0-9]+$/, 'must be a package reference with an exact tag, such as "xpkg.upbound.io/upbound/provider-aws-rds:v1.20.0"')
            .describe(`Crossplane package of the ${id} provider.`),
        ]),
      ) as Record<CrossplaneProviderId, z.ZodString>,
    )
    .describe('Crossplane provider packages (provider-aws family) installed on clusters with provider crossplane.'),
});
export type AddonCatalogue = z.infer<typeof addonCatalogueSchema>;

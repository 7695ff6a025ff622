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
  .regex(/^v?[0-9]+\.[0-9]+\.[0-9]+([-+][0-9A-Za-z.-]+)?$/, 'must be an exact image tag such as "v0.46.0": never "latest" or a range')
  .describe('Exact image tag.');

const appVersion = z
  .string()
  .regex(/^v[0-9]+\.[0-9]+\.[0-9]+$/, 'must be an exact release such as "v3.4.4": the appVersion of the pinned chart version')
  .describe('Release of the application the pinned chart version runs (its Chart.yaml appVersion).');

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
    appVersion: appVersion
      .optional()
      .describe(
        "The chart version's appVersion (Chart.yaml). Required for argo-cd, argo-workflows and argo-rollouts (versioned apart from their application): the release the chart runs, whose CRDs it installs and `validate` checks against (argo-cd: unless `image.tag` names another release, whose CRDs are then installed apart from the chart); change it together with `version`. Left out for ACK, External Secrets and Crossplane (chart X.Y.Z runs vX.Y.Z).",
      ),
    image: z
      .strictObject({
        repository: z.string().min(1).optional().describe('Image repository, when the chart default is not the one to run.'),
        tag: imageTag,
      })
      .optional()
      .describe(
        'Image the chart runs instead of its default, a deliberate override (the ADOT collector distribution in the upstream collector chart); say why beside it. For argo-cd its tag is the Argo CD release the clusters run: the CRDs they install and `validate` reads are that release\'s, and `gitops rehearse` builds it.',
      ),
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
  'argo-rollouts',
  'ack-rds',
  'ack-elasticache',
  'ack-s3',
  'crossplane',
  'aws-load-balancer-controller',
  'external-dns',
  'amazon-cloudwatch-observability',
  'adot-collector',
] as const;
export type ChartId = (typeof chartIds)[number];

/**
 * Crossplane provider packages of the provider-aws family, by AWS service: the four infra services,
 * and eks for the EKS Pod Identity associations of the add-ons (EKS clusters).
 */
export const crossplaneProviderIds = ['rds', 'elasticache', 's3', 'sqs', 'eks'] as const;
export type CrossplaneProviderId = (typeof crossplaneProviderIds)[number];

/**
 * Charts whose CRDs `validate` reads from the application's Go module, by how the release is
 * known. Versioned apart: the entry names the chart version's appVersion, the release the chart's
 * CRDs are copied from (for argo-cd, `image.tag` overrides it: `inputs/releases.ts` argoCdRelease).
 * Versioned with the application: chart X.Y.Z runs vX.Y.Z, so appVersion is left out. The other
 * charts install no CRD the rendered tree uses (appVersion optional, unused).
 */
export const chartsVersionedApart: readonly ChartId[] = ['argo-cd', 'argo-workflows', 'argo-rollouts'];
export const chartsVersionedWithApp: readonly ChartId[] = ['external-secrets', 'ack-rds', 'ack-elasticache', 'ack-s3', 'crossplane'];

export const addonCatalogueSchema = z
  .strictObject({
    charts: z
      .strictObject(Object.fromEntries(chartIds.map((id) => [id, pinnedChart.describe(`The ${id} chart.`)])) as Record<ChartId, typeof pinnedChart>)
      .describe('Every chart an add-on installs, by id. Its version is also the version of the CRDs `validate` checks the rendered objects against (see appVersion).'),
    crossplaneProviders: z
      .strictObject(
        Object.fromEntries(
          crossplaneProviderIds.map((id) => [
            id,
            z
              .string()
              .regex(/^[a-z0-9.-]+(\/[a-z0-9._-]+)+:v[0-9]+\.[0-9]+\.[0-9]+$/, 'must be a package reference with an exact tag, such as "xpkg.upbound.io/upbound/provider-aws-rds:v1.17.0"')
              .describe(`Crossplane package of the ${id} provider.`),
          ]),
        ) as Record<CrossplaneProviderId, z.ZodString>,
      )
      .superRefine((providers, ctx) => {
        const tags = new Set(Object.values(providers).map((reference) => reference.split(':').pop()));
        if (tags.size > 1) ctx.addIssue({ code: 'custom', message: `every provider-aws family package must have the same version (one release of github.com/upbound/provider-aws, whose CRDs validate reads); found ${[...tags].sort().join(', ')}` });
      })
      .describe('Crossplane provider packages (provider-aws family, one release), installed where Crossplane runs. Their tag is also the version of the provider-aws CRDs `validate` checks against.'),
  })
  .superRefine((catalogue, ctx) => {
    for (const id of chartIds) {
      const chart = catalogue.charts[id];
      if (chartsVersionedApart.includes(id) && !chart.appVersion) ctx.addIssue({ code: 'custom', path: ['charts', id, 'appVersion'], message: `is required: the ${id} chart is versioned apart from its application; set the appVersion of chart ${chart.version} (its Chart.yaml)` });
      if (chartsVersionedWithApp.includes(id) && chart.appVersion) ctx.addIssue({ code: 'custom', path: ['charts', id, 'appVersion'], message: `must be left out: the ${id} chart is versioned with its application (chart ${chart.version} runs v${chart.version})` });
    }
  });
export type AddonCatalogue = z.infer<typeof addonCatalogueSchema>;

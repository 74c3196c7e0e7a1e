import * as aws from "@pulumi/aws";
import type * as pulumi from "@pulumi/pulumi";

interface AlarmTargets {
  description: string;
  /** SNS topics told when the alarm fires and when it clears. */
  alarmTopicArns: pulumi.Input<pulumi.Input<string>[]>;
}

/** The metric an alarm watches and the value at or above which it fires. */
interface AlarmMetric {
  namespace: string;
  metricName: string;
  dimensions: Record<string, pulumi.Input<string>>;
  statistic: string;
  period: number;
  threshold: number;
}

/**
 * Every alarm here fires on one period at or above its threshold, counts a period without data as
 * healthy and tells its topics both when it fires and when it clears.
 */
function thresholdAlarm(
  name: string,
  targets: AlarmTargets,
  metric: AlarmMetric,
  parent: pulumi.Resource,
): aws.cloudwatch.MetricAlarm {
  return new aws.cloudwatch.MetricAlarm(
    name,
    {
      alarmDescription: targets.description,
      ...metric,
      evaluationPeriods: 1,
      comparisonOperator: "GreaterThanOrEqualToThreshold",
      treatMissingData: "notBreaching",
      alarmActions: targets.alarmTopicArns,
      okActions: targets.alarmTopicArns,
    },
    { parent },
  );
}

/** Fires when a function reports any error in an hour. */
export function lambdaErrorsAlarm(
  name: string,
  args: AlarmTargets & { functionName: pulumi.Input<string> },
  parent: pulumi.Resource,
): aws.cloudwatch.MetricAlarm {
  return thresholdAlarm(
    name,
    args,
    {
      namespace: "AWS/Lambda",
      metricName: "Errors",
      dimensions: { FunctionName: args.functionName },
      statistic: "Sum",
      period: 3600,
      threshold: 1,
    },
    parent,
  );
}

/**
 * Fires when the oldest upload event has waited longer than `maxAgeSeconds`. Under fail-closed an
 * unscanned object is unreadable, so a backlog is an outage for its readers.
 */
export function queueAgeAlarm(
  name: string,
  args: AlarmTargets & { queueName: pulumi.Input<string>; maxAgeSeconds: number },
  parent: pulumi.Resource,
): aws.cloudwatch.MetricAlarm {
  return thresholdAlarm(
    name,
    args,
    {
      namespace: "AWS/SQS",
      metricName: "ApproximateAgeOfOldestMessage",
      dimensions: { QueueName: args.queueName },
      statistic: "Maximum",
      period: 60,
      threshold: args.maxAgeSeconds,
    },
    parent,
  );
}

/** Fires when any event lands in a dead-letter queue: an object that will stay unscanned until someone acts. */
export function deadLetterAlarm(
  name: string,
  args: AlarmTargets & { queueName: pulumi.Input<string> },
  parent: pulumi.Resource,
): aws.cloudwatch.MetricAlarm {
  return thresholdAlarm(
    name,
    args,
    {
      namespace: "AWS/SQS",
      metricName: "ApproximateNumberOfMessagesVisible",
      dimensions: { QueueName: args.queueName },
      statistic: "Maximum",
      period: 300,
      threshold: 1,
    },
    parent,
  );
}

/**
 * Fires when a value a function logs (a field of its EMF lines, read by a metric filter on its own
 * log group) reaches `threshold` in a period. The filter makes the metric this function's alone: the
 * handlers' EMF metrics carry only a service dimension, which every stack in the account shares.
 */
export function loggedValueAlarm(
  name: string,
  args: AlarmTargets & {
    logGroupName: pulumi.Input<string>;
    /** The EMF field, also the metric's name. */
    field: string;
    /** The metric's namespace: one per function, so stacks in one account stay apart. */
    namespace: pulumi.Input<string>;
    statistic: string;
    period: number;
    threshold: pulumi.Input<number>;
  },
  parent: pulumi.Resource,
): aws.cloudwatch.MetricAlarm {
  const filter = new aws.cloudwatch.LogMetricFilter(
    `${name}-filter`,
    {
      logGroupName: args.logGroupName,
      pattern: `{ $.${args.field} >= 0 }`,
      metricTransformation: { name: args.field, namespace: args.namespace, value: `$.${args.field}` },
    },
    { parent },
  );
  return new aws.cloudwatch.MetricAlarm(
    name,
    {
      alarmDescription: args.description,
      namespace: args.namespace,
      metricName: args.field,
      statistic: args.statistic,
      period: args.period,
      threshold: args.threshold,
      evaluationPeriods: 1,
      comparisonOperator: "GreaterThanOrEqualToThreshold",
      treatMissingData: "notBreaching",
      alarmActions: args.alarmTopicArns,
      okActions: args.alarmTopicArns,
    },
    { parent, dependsOn: [filter] },
  );
}

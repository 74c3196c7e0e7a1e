import * as aws from "@pulumi/aws";
import type * as pulumi from "@pulumi/pulumi";

interface AlarmTargets {
  description: string;
  /** SNS topics told when the alarm fires and when it clears. */
  alarmTopicArns: pulumi.Input<pulumi.Input<string>[]>;
}

/** Fires when a function reports any error in an hour. */
export function lambdaErrorsAlarm(
  name: string,
  args: AlarmTargets & { functionName: pulumi.Input<string> },
  parent: pulumi.Resource,
): aws.cloudwatch.MetricAlarm {
  return new aws.cloudwatch.MetricAlarm(
    name,
    {
      alarmDescription: args.description,
      namespace: "AWS/Lambda",
      metricName: "Errors",
      dimensions: { FunctionName: args.functionName },
      statistic: "Sum",
      period: 3600,
      evaluationPeriods: 1,
      threshold: 1,
      comparisonOperator: "GreaterThanOrEqualToThreshold",
      treatMissingData: "notBreaching",
      alarmActions: args.alarmTopicArns,
      okActions: args.alarmTopicArns,
    },
    { parent },
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
  return new aws.cloudwatch.MetricAlarm(
    name,
    {
      alarmDescription: args.description,
      namespace: "AWS/SQS",
      metricName: "ApproximateAgeOfOldestMessage",
      dimensions: { QueueName: args.queueName },
      statistic: "Maximum",
      period: 60,
      evaluationPeriods: 1,
      threshold: args.maxAgeSeconds,
      comparisonOperator: "GreaterThanOrEqualToThreshold",
      treatMissingData: "notBreaching",
      alarmActions: args.alarmTopicArns,
      okActions: args.alarmTopicArns,
    },
    { parent },
  );
}

/** Fires when any event lands in a dead-letter queue: an object that will stay unscanned until someone acts. */
export function deadLetterAlarm(
  name: string,
  args: AlarmTargets & { queueName: pulumi.Input<string> },
  parent: pulumi.Resource,
): aws.cloudwatch.MetricAlarm {
  return new aws.cloudwatch.MetricAlarm(
    name,
    {
      alarmDescription: args.description,
      namespace: "AWS/SQS",
      metricName: "ApproximateNumberOfMessagesVisible",
      dimensions: { QueueName: args.queueName },
      statistic: "Maximum",
      period: 300,
      evaluationPeriods: 1,
      threshold: 1,
      comparisonOperator: "GreaterThanOrEqualToThreshold",
      treatMissingData: "notBreaching",
      alarmActions: args.alarmTopicArns,
      okActions: args.alarmTopicArns,
    },
    { parent },
  );
}

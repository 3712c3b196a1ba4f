from jiwen.extract.fingerprint import SAME_STORY, hamming_distance, resemblance, simhash

# Long enough to be a real report: on a text of a few hundred characters a handful of changed
# shingles moves more bits, and the store's 3-bit threshold is meant for article-length bodies.
STORY = (
    "近日，县人社局联合二十家企业在县体育馆举办春风行动专场招聘会，现场提供制造、物流、餐饮等岗位一千二百个。"
    "招聘会吸引了三千余名返乡农民工和高校毕业生参加，现场达成就业意向八百余人。\n"
    "为方便群众求职，县里还开通了线上招聘平台，发布岗位信息并提供视频面试服务，不方便到场的求职者在家里也能和企业面对面交流。"
    "平台上线一周，访问量突破五万人次，收到简历两千余份。\n"
    "人社部门工作人员在现场设置政策咨询台，向求职者讲解就业补贴、创业担保贷款和技能培训补贴等政策，并发放宣传资料四千余份。"
    "对有培训意愿的人员，工作人员当场登记，按电工、焊工、家政服务、电子商务等方向分班，安排在下月开课。\n"
    "在一家电子厂的展位前，来自东山村的王大姐拿着刚填好的登记表说，厂里离家只有十几公里，每天有通勤车接送，"
    "月工资四千元左右，还能照顾上学的孩子，今年就不打算再去外省打工了。\n"
    "县就业服务中心负责人介绍，今年以来，全县已累计举办各类招聘活动四十三场，帮助七千余名农村劳动力实现就业，"
    "其中就近就地就业的比例明显提高。县里还在十二个乡镇设立了就业服务站，由专人负责收集岗位信息、跟踪就业情况。\n"
    "下一步，县里将持续开展就业服务进村入户活动，针对脱贫劳动力、残疾人和零就业家庭等重点群体开展一对一帮扶，"
    "确保有意愿的劳动力都能找到合适的岗位。\n"
    "记者在招聘会现场看到，不少企业打出了“包吃包住”“技能培训后上岗”的招牌。一家服装厂的人事主管说，"
    "厂里今年新接了两批外贸订单，缺熟练车工六十多人，这次招聘会上已经有二十多人报名，比预想的要好。"
    "另一家物流公司则把面试直接搬到了展位上，叉车司机当场试驾，合格的第二天就能签合同。\n"
    "高校毕业生专区同样人气很旺。县里今年梳理出适合大学生的岗位三百余个，涵盖教育、医疗、农业技术推广等领域，"
    "并为到乡镇基层工作的毕业生提供住房补贴和一次性安家费。刚从农业大学毕业的小李在现场投了三份简历，"
    "他说家乡这几年变化很大，回来工作既能发挥专业所长，也能离父母近一些。\n"
    "据了解，县里还将在每月的第一个周六举办固定招聘日，并联合邻近三个县建立岗位信息共享机制，"
    "让求职者在一个平台上就能看到周边地区的用工需求，进一步拓宽就业渠道。"
)
OTHER_STORY = (
    "连日来，古镇周边万亩油菜花竞相开放，金黄的花海与白墙黛瓦相映成趣，吸引大批游客前来赏花拍照。"
    "当地在景区入口增设停车场和游客服务中心，并安排志愿者引导交通。"
    "镇上的农家乐推出了腊肉、菜花饭等特色菜，民俗表演每天上午和下午各演出一场。"
    "据景区统计，上周末接待游客两万余人次，带动周边餐饮住宿收入明显增长。"
)


def test_a_copy_with_a_lead_in_and_a_credit_line_is_within_three_bits():
    copy = "本报讯 " + STORY + "\n（责任编辑：刘青）"
    assert hamming_distance(simhash(STORY), simhash(copy)) <= 3


def test_a_copy_with_one_word_changed_is_within_three_bits():
    copy = STORY.replace("八百余人", "八百多人")
    assert copy != STORY
    assert hamming_distance(simhash(STORY), simhash(copy)) <= 3


def test_a_different_article_is_far_away():
    assert hamming_distance(simhash(STORY), simhash(OTHER_STORY)) > 15


def test_edited_copies_stay_much_closer_than_a_different_article():
    copies = [
        STORY.replace("近日，", "本报讯 日前，").replace("八百余人", "八百多人") + "（责任编辑：刘青）",
        "（记者 韦倩）" + STORY,
        STORY + "\n相关阅读：全市举办春风行动招聘会",
    ]
    different = hamming_distance(simhash(STORY), simhash(OTHER_STORY))
    for copy in copies:
        assert hamming_distance(simhash(STORY), simhash(copy)) * 3 < different


def test_spacing_and_punctuation_do_not_change_the_fingerprint():
    respaced = STORY.replace("，", " , ").replace("。", "。\n\n")
    assert simhash(respaced) == simhash(STORY)


def test_the_fingerprint_is_a_stable_64_bit_number():
    value = simhash(STORY)
    assert value == simhash(STORY)
    assert 0 <= value < 2**64


def test_texts_too_short_to_compare_have_no_fingerprint():
    assert simhash("就业") is None
    assert simhash("  ，。 ") is None
    assert simhash("全县新增就业岗位") is not None


def test_hamming_distance_counts_differing_bits():
    assert hamming_distance(0b1011, 0b0010) == 2
    assert hamming_distance(7, 7) == 0


def _reference_simhash(text: str) -> int:
    """The scheme written out one shingle at a time in plain Python integers."""
    import re

    mask = (1 << 64) - 1
    compact = re.sub(r"[\s\W_]+", "", text)
    shingles = set()
    for start in range(len(compact) - 3):
        key = 0
        for character in compact[start : start + 4]:
            key = (key * 0x100000001B3 + ord(character)) & mask
        shingles.add(key)

    def mix(value: int) -> int:
        value = ((value ^ (value >> 30)) * 0xBF58476D1CE4E5B9) & mask
        value = ((value ^ (value >> 27)) * 0x94D049BB133111EB) & mask
        return value ^ (value >> 31)

    hashes = [mix(key) for key in shingles]
    return sum(1 << bit for bit in range(64) if 2 * sum((h >> bit) & 1 for h in hashes) > len(hashes))


def test_the_vectorized_fingerprint_equals_the_scheme_computed_one_shingle_at_a_time():
    assert simhash(STORY) == _reference_simhash(STORY)
    assert simhash(OTHER_STORY) == _reference_simhash(OTHER_STORY)


def test_edited_copies_resemble_the_story_and_a_templated_sibling_does_not():
    copies = [
        "本报讯 " + STORY + "\n（责任编辑：刘青）",
        STORY.replace("八百余人", "八百多人"),
        STORY + "\n相关阅读：全市举办春风行动招聘会",
    ]
    for copy in copies:
        assert resemblance(STORY, copy) >= SAME_STORY
    # Another county's report from the same template: different article, however close its SimHash.
    sibling = STORY
    for old, new in (("二十家", "十五家"), ("一千二百个", "九百个"), ("三千余名", "两千余名"), ("八百余人", "六百余人"),
                     ("四十三场", "二十一场"), ("七千余名", "五千余名"), ("十二个乡镇", "九个乡镇"), ("东山村", "西岭村"),
                     ("六十多人", "四十多人"), ("三百余个", "二百余个"), ("三个县", "两个县"), ("四千余份", "三千余份"),
                     ("两千余份", "一千余份"), ("五万人次", "三万人次"), ("二十多人", "十多人"), ("三份简历", "两份简历")):  # fmt: skip
        sibling = sibling.replace(old, new)
    assert resemblance(STORY, sibling) < SAME_STORY
    assert resemblance(STORY, OTHER_STORY) < 0.1
